import { SERVICE_RUNTIME, ServiceRuntime } from '@gov/shared';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { VersionLoader } from '../loading/version-loader';
import type { ArrivingRawFile } from '../uploads/raw-file.store';
import { IngestJob } from './job.entity';

/** A running job whose heartbeat is older than this is taken to have died with its process (INGEST_STALE_AFTER_MS overrides). */
export const STALE_AFTER_MS = 30_000;
/** The heartbeat is written every second while a job runs; a threshold below a few beats would recover live jobs. */
const MIN_STALE_AFTER_MS = 3_000;
export const MAX_ATTEMPTS = 3;

/**
 * Runs queued jobs one at a time per process. Claiming uses SKIP LOCKED, so several replicas
 * share the queue; a job whose process died (SIGKILL) is found by its stale heartbeat, its
 * half-loaded version is discarded and the job is queued again.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private active?: Promise<void>;
  /** Set while a job runs here, or is being claimed: one job at a time per process. */
  private busy = false;
  private readonly staleAfterMs: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly loader: VersionLoader,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
  ) {
    const configured = Number(runtime.settings.extra?.INGEST_STALE_AFTER_MS);
    this.staleAfterMs = Number.isFinite(configured) && configured > 0 ? Math.max(configured, MIN_STALE_AFTER_MS) : STALE_AFTER_MS;
  }

  onApplicationBootstrap(): void {
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  nudge(): void {
    this.wake?.();
  }

  /** Runs everything queued now (tests and the CLI); returns the number of jobs run. */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.runOne()) n++;
    return n;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.recoverStale();
        while (!this.stopped && (await this.runOne()));
      } catch (err) {
        this.logger.error(`job loop: ${(err as Error).message}`);
      }
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await this.active;
  }

  /**
   * Runs an upload's job while its bytes still arrive, when this process runs no other job. Gives
   * undefined when it does: the caller then stores the file first and queues the job.
   */
  startNow(create: () => Promise<IngestJob>, arriving: ArrivingRawFile): Promise<IngestJob> | undefined {
    if (this.busy || this.stopped) return undefined;
    this.busy = true;
    const created = create();
    this.active = created
      .then(
        (job) => this.loader.run(job, arriving),
        () => arriving.release(),
      )
      .finally(() => {
        this.busy = false;
        this.active = undefined;
        this.wake?.();
      });
    return created;
  }

  private async runOne(): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      return await this.claimAndRun();
    } finally {
      this.busy = false;
    }
  }

  private async claimAndRun(): Promise<boolean> {
    const [row] = await this.db.query(
      `WITH next AS (SELECT id FROM ingest.job WHERE state = 'queued' ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1),
            claimed AS (UPDATE ingest.job j SET state = 'running', attempts = attempts + 1, started_at = now(), heartbeat_at = now(), error = NULL
                        FROM next WHERE j.id = next.id RETURNING j.id)
       SELECT id FROM claimed`,
    );
    const id = row?.id;
    if (!id) return false;
    const job = await this.db.getRepository(IngestJob).findOneByOrFail({ id });
    this.active = this.loader.run(job);
    await this.active;
    this.active = undefined;
    return true;
  }

  /** Jobs of dead processes: discard their loading version and queue them again (or fail them). */
  async recoverStale(staleAfterMs = this.staleAfterMs): Promise<number> {
    // Touching the heartbeat claims the stale job, so two replicas do not both recover it.
    const stale: { id: string; attempts: number }[] = await this.db.query(
      `WITH s AS (UPDATE ingest.job SET heartbeat_at = now() WHERE state = 'running' AND heartbeat_at < now() - make_interval(secs => $1) RETURNING id, attempts)
       SELECT * FROM s`,
      [staleAfterMs / 1000],
    );
    for (const job of stale) {
      await this.loader.discardLoading(job.id, '进程中断，已丢弃未完成的版本');
      if (job.attempts < MAX_ATTEMPTS) await this.db.query(`UPDATE ingest.job SET state = 'queued', heartbeat_at = NULL WHERE id = $1`, [job.id]);
      else
        await this.db.query(`UPDATE ingest.job SET state = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [
          job.id,
          { code: 'JOB_ABANDONED', zh: `任务已中断 ${job.attempts} 次，不再重试`, en: `The job was interrupted ${job.attempts} times` },
        ]);
      this.logger.warn(`recovered stale ingest job ${job.id}`);
    }
    return stale.length;
  }
}
