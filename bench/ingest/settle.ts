/**
 * Between two measurements of a bench that runs the whole platform in its own process: what the
 * first one set off (events, snapshot loads, the audit log) must not fall on the second.
 */
import { Client } from 'pg';

/**
 * Until the platform and PostgreSQL are idle (at most 90 s), then a checkpoint. After an ingest job
 * the other services react to its version: open-api loads the snapshot into its masked table,
 * sharing and audit take their events; without waiting, that work fell on the next measurement
 * (a plain COPY took 2.1–2.4 s before a full path and 7.1–9.1 s right after it). Idle: this
 * process below a tenth of a core and no other active backend in the bench database, twice in a row.
 */
export async function settle(url: string, opts: { checkpoint?: boolean } = {}): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  try {
    let quiet = 0;
    while (quiet < 2 && performance.now() - started < 90_000) {
      const cpu = process.cpuUsage();
      await new Promise((r) => setTimeout(r, 500));
      const used = process.cpuUsage(cpu);
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`);
      quiet = (used.user + used.system) / 500_000 < 0.1 && Number(rows[0].n) === 0 ? quiet + 1 : 0;
    }
    const checkpoint =
      opts.checkpoint === false
        ? ''
        : await client.query('CHECKPOINT').then(
            () => ', checkpoint',
            (err: Error) => `, no checkpoint (${err.message})`,
          );
    return `${quiet < 2 ? 'still busy after 90 s' : 'idle'}${checkpoint}, in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  } finally {
    await client.end();
  }
}

