import { CurrentStaff, PageQuery, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { NotificationsService } from './notifications.service';

export class WebhookDto {
  @ApiProperty({ description: 'http(s) 地址；每条通知以 POST 发送，带 X-Timestamp 与 X-Signature（HMAC-SHA256）' }) @IsString() @MaxLength(2000) url: string;
}
export class InboxQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsIn(['true', 'false']) unread?: string;
}

@ApiTags('通知 notifications')
@ApiBearerAuth()
@Controller()
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get('notifications')
  @ApiOperation({ summary: '站内消息（本部门、本角色），最新在前，分页 / the in-app inbox, newest first, paged: { items, total, page, pageSize }' })
  inbox(@CurrentStaff() staff: StaffPrincipal, @Query() q: InboxQuery) {
    return this.notifications.inbox(staff, q.unread === 'true', q);
  }

  @Post('notifications/:id/read')
  @HttpCode(204)
  @ApiOperation({ summary: '标为已读 / mark read' })
  read(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return this.notifications.markRead(staff, id);
  }

  @Put('webhook')
  @Roles('dept_operator', 'dept_reviewer')
  @ApiOperation({ summary: '设置本部门 Webhook（签名密钥只返回一次）/ set the department webhook' })
  setWebhook(@CurrentStaff() staff: StaffPrincipal, @Body() dto: WebhookDto) {
    return this.notifications.setWebhook(staff.deptId, dto.url);
  }

  @Get('webhook/deliveries')
  @ApiOperation({ summary: 'Webhook 投递记录 / webhook deliveries' })
  deliveries(@CurrentStaff() staff: StaffPrincipal) {
    return this.notifications.deliveries(staff.deptId);
  }
}
