import { Roles } from '@gov/shared';
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogStatistics, StatisticsService } from './statistics.service';

@ApiTags('统计 statistics')
@ApiBearerAuth()
@Controller('statistics')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get()
  @Roles('data_admin', 'auditor')
  @ApiOperation({ summary: '目录统计：部门/领域/分类、共享与开放类型、开放率、接口占比、超期、年度目标进度' })
  get(): Promise<CatalogStatistics> {
    return this.statistics.compute();
  }
}
