import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * 黑名单 of keys (by prefix), apps and IPs. Read on every open request, so it is held in memory
 * and reloaded at most every few seconds (immediately on this replica after a change).
 */
@Injectable()
export class BlacklistCache {
  private entries = new Set<string>();
  private loadedAt = 0;
  private loading?: Promise<void>;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  invalidate(): void {
    this.loadedAt = 0;
  }

  private async load(): Promise<void> {
    const rows: { kind: string; value: string }[] = await this.db.query(`SELECT kind, value FROM openapi.blacklist WHERE removed_at IS NULL`);
    this.entries = new Set(rows.map((r) => `${r.kind}:${r.value}`));
    this.loadedAt = Date.now();
  }

  /** The blacklisted subject among those given ('ip', 'app', 'key'), if any. */
  async match(subjects: { ip?: string; appId?: string; keyPrefix?: string }): Promise<string | undefined> {
    if (Date.now() - this.loadedAt > 3000) {
      this.loading ??= this.load().finally(() => (this.loading = undefined));
      await this.loading;
    }
    if (subjects.ip && this.entries.has(`ip:${subjects.ip}`)) return `IP ${subjects.ip}`;
    if (subjects.appId && this.entries.has(`app:${subjects.appId}`)) return `应用 app ${subjects.appId}`;
    if (subjects.keyPrefix && this.entries.has(`key:${subjects.keyPrefix}`)) return `密钥 key ${subjects.keyPrefix}`;
    return undefined;
  }
}
