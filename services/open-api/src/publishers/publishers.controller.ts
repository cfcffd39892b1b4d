import { DepartmentRegisteredV1, EventContext, Public } from '@gov/shared';
import { Controller, Get } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublishersService, PublisherView } from './publishers.service';

@ApiTags('开放数据 open data')
@Controller('v1/publishers')
export class PublishersController {
  constructor(private readonly publishers: PublishersService) {}

  @Get()
  @Public()
  @ApiOperation({ summary: '数据提供部门 / departments publishing open data' })
  list(): Promise<PublisherView[]> {
    return this.publishers.list();
  }

  @EventPattern('org.department.registered')
  onDepartmentRegistered(@Payload() event: DepartmentRegisteredV1, @Ctx() ctx: EventContext): Promise<void> {
    return this.publishers.apply(ctx.manager, event);
  }
}
