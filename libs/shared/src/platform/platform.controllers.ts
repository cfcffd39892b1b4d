import { Controller, Get, Header, HttpStatus, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public, Roles } from '../auth/decorators';
import { DeadLetterService } from '../events/dead-letters';
import { ServiceMetrics } from '../observability/metrics';
import { SERVICE_RUNTIME, ServiceRuntime } from './service-runtime';

@ApiTags('platform')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(SERVICE_RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  private async probe(key: string, fn: () => Promise<boolean>, kind: string) {
    const session = this.indicators.check(key);
    return (await fn().catch(() => false)) ? session.up({ kind }) : session.down({ kind });
  }

  @Get()
  @Public()
  @HealthCheck()
  @ApiOperation({ summary: '健康检查 / health (database, event transport, object storage, cache)' })
  async check(@Res({ passthrough: true }) res: Response) {
    const { transport, objectStorage, keyValue } = this.runtime;
    try {
      return await this.health.check([
        () => this.db.pingCheck('database', { timeout: 3000 }),
        () => this.probe('events', () => transport.healthy(), transport.kind),
        () => this.probe('objectStorage', () => objectStorage.healthy(), objectStorage.kind),
        () => this.probe('cache', () => keyValue.healthy(), keyValue.kind),
      ]);
    } catch (err) {
      // Terminus reports a failed check as 503 with the per-indicator detail: keep that body.
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
      return (err as { getResponse?: () => unknown }).getResponse?.() ?? { status: 'error' };
    }
  }
}

@ApiTags('platform')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: ServiceMetrics) {}

  @Get()
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  @ApiOperation({ summary: 'Prometheus metrics' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

@ApiTags('platform')
@Controller('admin/dead-letters')
export class DeadLetterController {
  constructor(private readonly deadLetters: DeadLetterService) {}

  @Get()
  @Roles('data_admin')
  @ApiOperation({ summary: '死信列表 / list events that failed processing' })
  list(@Query('pending') pending?: string) {
    return this.deadLetters.list({ pendingOnly: pending === 'true' });
  }

  @Post(':id/replay')
  @Roles('data_admin')
  @ApiOperation({ summary: '重放死信 / replay one dead-lettered event' })
  replay(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.deadLetters.replay(id);
  }
}
