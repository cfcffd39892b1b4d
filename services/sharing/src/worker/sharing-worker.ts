import { randomUUID } from 'node:crypto';
import { runWithContext } from '@gov/shared';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DatasetStore } from '../datasets/dataset-store';
import { DeliveryService } from '../delivery/delivery.service';
import { FeedbackService } from '../feedback/feedback.service';
import { GrantsService } from '../grants/grants.service';
import { NotificationsService } from '../notifications/notifications.service';
import { RequestsService } from '../requests/requests.service';
import { ReturnsService } from '../returns/returns.service';
import { SandboxService } from '../sandbox/sandbox.service';
import { SHARING_SETTINGS, SharingSettings } from '../sharing.settings';

const JOB_POLL_MS = 300;
const JOB_MAX_ATTEMPTS = 5;

/**
 * Background work of the service: queued pushes and 回流 deliveries (retried with backoff),
 * webhook deliveries, and the periodic sweep (deadline reminders, escalation, grant expiry).
 * Jobs are claimed with SKIP LOCKED, so several replicas never run the same one.
 */
@Injectable()
export class SharingWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SharingWorker');
  private timers: NodeJS.Timeout[] = [];
  private busy = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly delivery: DeliveryService,
    private readonly returns: ReturnsService,
    private readonly requests: RequestsService,
    private readonly grants: GrantsService,
    private readonly notifications: NotificationsService,
    private readonly feedback: FeedbackService,
    datasets: DatasetStore,
    @Inject(SHARING_SETTINGS) private readonly settings: SharingSettings,
    private readonly sandbox: SandboxService,
  ) {
    datasets.onNewVersion((m, ds) => this.delivery.onNewVersion(m, ds));
    datasets.onNewVersion((m, ds) => this.returns.onNewVersion(m, ds));
  }

  onApplicationBootstrap(): void {
    this.timers.push(setInterval(() => void this.tick(), JOB_POLL_MS));
    this.timers.push(setInterval(() => void this.sweep(), this.settings.sweepMs));
  }

  onApplicationShutdown(): void {
    for (const t of this.timers) clearInterval(t);
  }

  /** Background work runs as the system actor, with its own correlation id per pass. */
  private asSystem<T>(fn: () => Promise<T>): Promise<T> {
    return runWithContext({ correlationId: randomUUID(), actor: { type: 'system', id: 'sharing-worker', name: '共享服务后台任务' } }, fn);
  }

  sweep(): Promise<void> {
    return this.asSystem(() => this.sweepNow());
  }

  private async sweepNow(): Promise<void> {
    try {
      await this.requests.sweepDeadlines();
      await this.grants.expireDue();
      await this.feedback.sweepDeadlines();
      await this.sandbox.purgeExpired(); // sandbox results past SECURITY_SANDBOX_RESULT_HOURS
    } catch (err) {
      this.logger.error(`sweep: ${(err as Error).message}`);
    }
  }

  /** One pass: due jobs, then due webhooks. Public so tests can drive it. */
  tick(): Promise<void> {
    return this.asSystem(() => this.tickNow());
  }

  private async tickNow(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (await this.runOneJob());
      await this.notifications.deliverWebhooks();
    } catch (err) {
      this.logger.error(`worker: ${(err as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  private async runOneJob(): Promise<boolean> {
    const job = await this.dataSource.transaction(async (m) => {
      const [j] = await m.query(`SELECT * FROM sharing.delivery_job WHERE status='pending' AND next_at <= now() ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`);
      if (!j) return undefined;
      await m.query(`UPDATE sharing.delivery_job SET status='running', attempts=attempts+1 WHERE id=$1`, [j.id]);
      return j as { id: string; kind: string; target_id: string; version: number; attempts: number };
    });
    if (!job) return false;
    return runWithContext({ correlationId: randomUUID(), actor: { type: 'system', id: 'sharing-worker' } }, () => this.runJob(job));
  }

  private async runJob(job: { id: string; kind: string; target_id: string; version: number; attempts: number }): Promise<boolean> {
    try {
      const outcome = job.kind === 'push' ? await this.delivery.runPush(job.target_id, job.version) : await this.returns.deliver(job.target_id, job.version);
      await this.dataSource.query(`UPDATE sharing.delivery_job SET status=$2, last_error=NULL WHERE id=$1`, [job.id, outcome]);
    } catch (err) {
      const attempts = job.attempts + 1;
      const failed = attempts >= JOB_MAX_ATTEMPTS;
      this.logger.warn(`delivery job ${job.id} (${job.kind}) attempt ${attempts}: ${(err as Error).message}`);
      await this.dataSource.query(`UPDATE sharing.delivery_job SET status=$2, last_error=$3, next_at=now() + ($4 || ' milliseconds')::interval WHERE id=$1`, [
        job.id,
        failed ? 'failed' : 'pending',
        (err as Error).message.slice(0, 500),
        String(1000 * 2 ** attempts),
      ]);
    }
    return true;
  }
}
