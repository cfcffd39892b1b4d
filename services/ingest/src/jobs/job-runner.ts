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
 * Runs queued jobs one at a time per process, and beside them at most one upload loaded while it
 * arrives (which starts only when the process is idle, but does not hold up the queue: a slow
 * client must not keep queued jobs waiting). Claiming uses SKIP LOCKED, so several replicas
 * share the queue; a job whose process died (SIGKILL) is found by its stale heartbeat, its
 * half-loaded version is discarded and the job is queued again.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private stopped = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** The queued job and the live upload running here, if any. */
  private activeQueued?: Promise<void>;
  private activeLive?: Promise<void>;
  /** Set while a queued job runs here: one at a time per process. */
  private running = false;
  /** Set while an upload is loaded as it arrives: one at a time per process. */
  private live = false;
  /** The queue poll's claim while it is in flight. */
  private claiming?: Promise<unknown>;
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
    await Promise.all([this.activeQueued, this.activeLive]);
  }

  /**
   * Runs an upload's job while its bytes still arrive, when this process runs no other job: gives
   * the job once it is created, the load going on. Gives undefined when another job runs: the
   * caller then stores the file first and queues the job. Queued jobs may start while it runs.
   */
  async startNow(create: () => Promise<IngestJob>, arriving: ArrivingRawFile): Promise<IngestJob | undefined> {
    // A poll of the queue in flight may claim a job: wait for its answer rather than give up.
    while (this.claiming) await this.claiming.catch(() => undefined);
    if (this.running || this.live || this.stopped) return undefined;
    this.live = true;
    let job: IngestJob;
    try {
      job = await create();
    } catch (err) {
      this.live = false;
      await arriving.release();
      throw err;
    }
    this.activeLive = this.loader.run(job, arriving).finally(() => {
      this.live = false;
      this.activeLive = undefined;
    });
    return job;
  }

  private async runOne(): Promise<boolean> {
    if (this.running || this.claiming) return false;
    const claim = this.db.query(
      `WITH next AS (SELECT id FROM ingest.job WHERE state = 'queued' ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1),
            claimed AS (UPDATE ingest.job j SET state = 'running', attempts = attempts + 1, started_at = now(), heartbeat_at = now(), error = NULL
                        FROM next WHERE j.id = next.id RETURNING j.id)
       SELECT id FROM claimed`,
    );
    this.claiming = claim;
    let id: string | undefined;
    try {
      id = (await claim)[0]?.id;
    } finally {
      this.claiming = undefined;
    }
    if (!id) return false;
    // startNow waits on this claim one step behind this await, so it sees the flag.
    this.running = true;
    try {
      await this.runClaimed(id);
    } finally {
      this.running = false;
    }
    return true;
  }

  private async runClaimed(id: string): Promise<void> {
    const job = await this.db.getRepository(IngestJob).findOneByOrFail({ id });
    this.activeQueued = this.loader.run(job);
    await this.activeQueued;
    this.activeQueued = undefined;
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
