import { OutboxWriter, Roles, UPDATE_CYCLES } from '@gov/shared';
import { Controller, HttpCode, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';

const SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * 按期更新 (黄石): a dataset whose update cycle passed without a new version is flagged overdue
 * once, with an event; a new version clears the flag.
 */
@Injectable()
export class TimelinessWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TimelinessWatch.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.sweep().catch((e) => this.logger.error(`timeliness sweep: ${e.message}`)), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(now: Date = new Date()): Promise<number> {
    const limits = UPDATE_CYCLES.filter((c) => c.maxAgeDays != null).map((c) => ({ code: c.code, days: c.maxAgeDays! }));
    return this.db.transaction(async (m) => {
      const due: { id: string; dept_id: string; update_cycle: string; last_version_at: Date | null }[] = await m.query(
        `SELECT d.id, d.dept_id, d.update_cycle, d.last_version_at FROM ingest.dataset d
         JOIN jsonb_to_recordset($1::jsonb) AS c(code text, days int) ON c.code = d.update_cycle
         WHERE NOT d.retired AND d.overdue_since IS NULL AND coalesce(d.last_version_at, d.created_at) < $2::timestamptz - make_interval(days => c.days)
         FOR UPDATE OF d SKIP LOCKED`,
        [JSON.stringify(limits), now.toISOString()],
      );
      for (const d of due) {
        await m.query(`UPDATE ingest.dataset SET overdue_since = $2 WHERE id = $1`, [d.id, now]);
        await this.outbox.add(m, 'ingest.dataset.overdue', { datasetId: d.id, deptId: d.dept_id, updateCycle: d.update_cycle, lastVersionAt: d.last_version_at ? new Date(d.last_version_at).toISOString() : null });
      }
      return due.length;
    });
  }
}

@ApiTags('数据集 datasets')
@ApiBearerAuth()
@Controller('timeliness')
export class TimelinessController {
  constructor(private readonly watch: TimelinessWatch) {}

  @Post('sweep')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '立即检查未按更新周期更新的数据集（每小时自动运行）/ flag overdue datasets now' })
  async sweep(): Promise<{ flagged: number }> {
    return { flagged: await this.watch.sweep() };
  }
}
