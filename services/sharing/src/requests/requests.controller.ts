import { CurrentStaff, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApproveDto, CartItemDto, CoordinateDto, RefusalGroundDto, RefuseDto, RequestListQuery, SubmitRequestDto } from './dto/request.dto';
import { RequestsService } from './requests.service';

@ApiTags('共享申请 share requests')
@ApiBearerAuth()
@Controller()
export class RequestsController {
  constructor(private readonly requests: RequestsService) {}

  @Get('cart')
  @Roles('dept_operator')
  @ApiOperation({ summary: '申请清单（购物车）/ the request cart' })
  cart(@CurrentStaff() staff: StaffPrincipal) {
    return this.requests.cart(staff);
  }

  @Post('cart/items')
  @Roles('dept_operator')
  @ApiOperation({ summary: '加入申请清单 / add an entry and items to the cart' })
  addToCart(@CurrentStaff() staff: StaffPrincipal, @Body() dto: CartItemDto) {
    return this.requests.addToCart(staff, dto);
  }

  @Delete('cart/items/:entryId')
  @Roles('dept_operator')
  @ApiOperation({ summary: '移出申请清单 / remove an entry from the cart' })
  removeFromCart(@CurrentStaff() staff: StaffPrincipal, @Param('entryId', ParseUUIDPipe) entryId: string) {
    return this.requests.removeFromCart(staff, entryId);
  }

  @Post('requests')
  @Roles('dept_operator')
  @ApiOperation({ summary: '提交共享申请（一个或多个目录；无条件共享即时授权，不予共享即时拒绝）/ submit a share request' })
  submit(@CurrentStaff() staff: StaffPrincipal, @Body() dto: SubmitRequestDto) {
    return this.requests.submit(staff, dto);
  }

  @Get('requests')
  @ApiOperation({ summary: '共享申请（本部门作为申请方或提供方；最新在前，分页）/ requests the department is party to, newest first, paged: { items, total, page, pageSize }' })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() q: RequestListQuery) {
    return this.requests.list(staff, q);
  }

  @Get('requests/:id')
  @ApiOperation({ summary: '共享申请详情 / one request' })
  get(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return this.requests.get(staff, id);
  }

  @Post('requests/:id/approve')
  @HttpCode(200)
  @Roles('dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '同意 / 缩小范围同意（信息项、行范围、期限、频次）/ approve, possibly narrower' })
  approve(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ApproveDto) {
    return this.requests.approve(staff, id, dto);
  }

  @Post('requests/:id/refuse')
  @HttpCode(200)
  @Roles('dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '拒绝：须引用法定事由并说明理由 / refuse with a legal ground' })
  refuse(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: RefuseDto) {
    return this.requests.refuse(staff, id, dto);
  }

  @Post('requests/:id/withdraw')
  @HttpCode(200)
  @Roles('dept_operator')
  @ApiOperation({ summary: '撤回申请 / withdraw' })
  withdraw(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return this.requests.withdraw(staff, id);
  }

  @Post('requests/:id/coordinate')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '数据局协调意见（超期申请）/ the bureau coordinates an escalated request' })
  coordinate(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CoordinateDto) {
    return this.requests.coordinate(staff, id, dto.note);
  }

  @Post('deadlines/sweep')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '立即检查时限（临期提醒、超期提交数据局）/ run the deadline sweep now' })
  sweep() {
    return this.requests.sweepDeadlines();
  }

  @Get('refusal-grounds')
  @ApiOperation({ summary: '法定事由清单 / the maintained list of legal grounds' })
  grounds() {
    return this.requests.refusalGrounds();
  }

  @Post('refusal-grounds')
  @Roles('data_admin')
  @ApiOperation({ summary: '新增法定事由 / add a legal ground' })
  addGround(@Body() dto: RefusalGroundDto) {
    return this.requests.addRefusalGround(dto);
  }

  @Delete('refusal-grounds/:code')
  @HttpCode(204)
  @Roles('data_admin')
  @ApiOperation({ summary: '停用法定事由 / retire a legal ground' })
  retireGround(@Param('code') code: string) {
    return this.requests.retireRefusalGround(code);
  }
}
