import { CurrentStaff, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, Param, ParseIntPipe, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, IsUUID, MaxLength } from 'class-validator';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { ReturnsService } from './returns.service';

export class SubscribeDto {
  @ApiProperty() @IsUUID() entryId: string;
  @ApiProperty({ description: '区划信息项（按本辖区区划代码前缀筛选）' }) @IsString() @MaxLength(63) regionColumn: string;
}

@ApiTags('数据回流 return flow')
@ApiBearerAuth()
@Controller('subscriptions')
export class ReturnsController {
  constructor(private readonly returns: ReturnsService) {}

  @Post()
  @Roles('dept_operator')
  @ApiOperation({ summary: '区县部门订阅本辖区的市级数据，每个新版本自动回流 / subscribe to city data about one’s jurisdiction' })
  subscribe(@CurrentStaff() staff: StaffPrincipal, @Body() dto: SubscribeDto) {
    return this.returns.subscribe(staff, dto.entryId, dto.regionColumn);
  }

  @Get()
  @ApiOperation({ summary: '回流订阅 / subscriptions' })
  list(@CurrentStaff() staff: StaffPrincipal) {
    return this.returns.list(staff);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: '回流送达记录 / deliveries of a subscription' })
  deliveries(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return this.returns.deliveries(staff, id);
  }

  @Get(':id/deliveries/:version/file')
  @ApiOperation({ summary: '下载回流文件（CSV）/ the delivered file' })
  async file(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Param('version', ParseIntPipe) version: number, @Res() res: Response): Promise<void> {
    const f = await this.returns.file(staff, id, version);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('x-content-sha256', f.sha256);
    await pipeline(f.stream, res);
  }
}
