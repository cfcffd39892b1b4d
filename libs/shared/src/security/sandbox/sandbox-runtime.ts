import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** Why a sandbox query did not return rows; each service turns it into its own problem+json. */
export class SandboxRunFailure extends Error {
  constructor(
    readonly reason: 'timeout' | 'permission' | 'sqlstate',
    /** Only the SQLSTATE: PostgreSQL's message may quote a value (e.g. a failed cast of an ID number). */
    readonly sqlstate: string,
  ) {
    super(`sandbox query failed: ${reason} (SQLSTATE ${sqlstate})`);
  }
}

export interface SandboxRunLimits {
  timeoutMs: number;
  workMem: string;
  /** One row more is fetched, so the caller can tell "exactly the limit" from "over it". */
  maxRows: number;
}

/** Runs a planned query read-only under `role`, with time, memory and row limits. */
export async function runSandboxQuery(pool: Pool, sql: string, role: string, limits: SandboxRunLimits): Promise<Record<string, unknown>[]> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN TRANSACTION READ ONLY');
    await client.query(`SET LOCAL statement_timeout = ${Math.trunc(limits.timeoutMs)}`);
    await client.query(`SET LOCAL work_mem = '${limits.workMem.replace(/[^0-9A-Za-z]/g, '')}'`);
    await client.query(`SET LOCAL search_path = pg_catalog`);
    await client.query(`SET LOCAL ROLE "${role}"`);
    const { rows } = await client.query(`SELECT * FROM (${sql}) AS __sandbox_q LIMIT ${Math.trunc(limits.maxRows) + 1}`);
    await client.query('COMMIT');
    return rows;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    const code = (err as { code?: string }).code;
    if (code === '57014') throw new SandboxRunFailure('timeout', code);
    if (code === '42501') throw new SandboxRunFailure('permission', code);
    if (code) throw new SandboxRunFailure('sqlstate', code);
    throw err;
  } finally {
    client.release(broken);
  }
}

export interface SandboxRoleSetOptions {
  /** The service's schema holding the readable tables. */
  schema: string;
  /** Role names are `<prefix>_<subject id>` and `<prefix>_set_<hash>` for a job over several subjects. */
  prefix: string;
  /** The error to throw when the service's login role may not manage roles (no CREATEROLE). */
  unavailable: () => Error;
}

/**
 * PostgreSQL roles sandbox jobs run under. Each subject (a sharing grant, an open-data application)
 * has a login-less role with USAGE on the service's schema and SELECT on its dataset's current table
 * only — a new version is a new table, granted on the next job. A job over several subjects runs
 * under a role that is a member of exactly their roles. The service's login role becomes a member
 * so that `SET LOCAL ROLE` works without superuser (it needs CREATEROLE).
 */
export class SandboxRoleSet {
  /** role → tables already granted in this process (skips the GRANTs on the hot path). */
  private readonly granted = new Map<string, string>();

  constructor(
    protected readonly db: DataSource,
    private readonly opts: SandboxRoleSetOptions,
  ) {}

  roleOf(subjectId: string): string {
    return `${this.opts.prefix}_${subjectId.replace(/-/g, '')}`;
  }

  /** Ensures the roles; `tables` maps subject id → its qualified table. Returns the role to SET. */
  async ensure(tables: Map<string, string>): Promise<string> {
    const ids = [...tables.keys()].sort();
    const roles = ids.map((id) => this.roleOf(id));
    const role = ids.length === 1 ? roles[0] : `${this.opts.prefix}_set_${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 32)}`;
    const fingerprint = ids.map((id) => `${id}=${tables.get(id)}`).join(';');
    if (this.granted.get(role) === fingerprint) return role;
    await this.db
      .transaction(async (m) => {
        // Role DDL is cluster-wide; concurrent GRANTs on one role conflict ("tuple concurrently updated").
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('govdata-sandbox-roles'))`);
        const create = async (name: string, inherit: boolean) => {
          const [exists] = await m.query(`SELECT 1 FROM pg_roles WHERE rolname=$1`, [name]);
          if (!exists) await m.query(`CREATE ROLE "${name}" NOLOGIN ${inherit ? 'INHERIT' : 'NOINHERIT'} NOCREATEDB NOCREATEROLE NOREPLICATION`);
          await m.query(`GRANT "${name}" TO CURRENT_USER`);
        };
        for (const id of ids) {
          const r = this.roleOf(id);
          await create(r, false);
          await m.query(`GRANT USAGE ON SCHEMA ${this.opts.schema} TO "${r}"`);
          await m.query(`GRANT SELECT ON ${tables.get(id)} TO "${r}"`);
        }
        if (ids.length > 1) {
          await create(role, true);
          for (const r of roles) await m.query(`GRANT "${r}" TO "${role}"`);
        }
      })
      .catch((err: { code?: string }) => {
        // Without CREATEROLE (or membership) the sandbox cannot run at all: say so rather than a 500.
        if (err?.code === '42501') throw this.opts.unavailable();
        throw err;
      });
    this.granted.set(role, fingerprint);
    return role;
  }

  /** Strips a subject's role of its table privileges (its jobs are refused anyway: the second line). */
  protected async revoke(subjectId: string): Promise<void> {
    await this.db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${this.opts.schema} FROM "${this.roleOf(subjectId)}"`);
    for (const [role, fp] of this.granted) if (fp.includes(subjectId)) this.granted.delete(role);
  }

  /** Forgets cached grants (tests, or after a role was dropped). */
  reset(): void {
    this.granted.clear();
  }
}
