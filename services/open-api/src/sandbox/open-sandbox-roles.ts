import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OpenSandboxErrors } from './open-sandbox.errors';

/** `opensandbox_<application>`: a login-less role that may read exactly the open copy of one approved application's dataset. */
export const openSandboxRoleOf = (applicationId: string) => `opensandbox_${applicationId.replace(/-/g, '')}`;

/**
 * PostgreSQL roles developers' sandbox jobs run under: USAGE on the openapi schema and SELECT on the
 * current (masked) copy of the dataset only — a new version is a new table, granted on the next job.
 * A job over several applications runs under a role that is a member of exactly their roles. The
 * service's login role becomes a member so that `SET LOCAL ROLE` works without superuser (CREATEROLE).
 */
@Injectable()
export class OpenSandboxRoles {
  private readonly granted = new Map<string, string>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** `tables` maps application id → its dataset's qualified open table. Returns the role to SET. */
  async ensure(tables: Map<string, string>): Promise<string> {
    const ids = [...tables.keys()].sort();
    const roles = ids.map(openSandboxRoleOf);
    const role = ids.length === 1 ? roles[0] : `opensandbox_set_${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 32)}`;
    const fingerprint = ids.map((g) => `${g}=${tables.get(g)}`).join(';');
    if (this.granted.get(role) === fingerprint) return role;
    await this.db
      .transaction(async (m) => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('govdata-sandbox-roles'))`);
        const create = async (name: string, inherit: boolean) => {
          const [exists] = await m.query(`SELECT 1 FROM pg_roles WHERE rolname=$1`, [name]);
          if (!exists) await m.query(`CREATE ROLE "${name}" NOLOGIN ${inherit ? 'INHERIT' : 'NOINHERIT'} NOCREATEDB NOCREATEROLE NOREPLICATION`);
          await m.query(`GRANT "${name}" TO CURRENT_USER`);
        };
        for (const id of ids) {
          const r = openSandboxRoleOf(id);
          await create(r, false);
          await m.query(`GRANT USAGE ON SCHEMA openapi TO "${r}"`);
          await m.query(`GRANT SELECT ON ${tables.get(id)} TO "${r}"`);
        }
        if (ids.length > 1) {
          await create(role, true);
          for (const r of roles) await m.query(`GRANT "${r}" TO "${role}"`);
        }
      })
      .catch((err: { code?: string }) => {
        if (err?.code === '42501') throw OpenSandboxErrors.unavailable();
        throw err;
      });
    this.granted.set(role, fingerprint);
    return role;
  }

  /** Applications no longer approved or past their end date lose their role's table privileges (second line: jobs are refused anyway). */
  async revokeInactive(today: string): Promise<number> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT a.id FROM openapi.conditional_application a JOIN pg_roles r ON r.rolname = 'opensandbox_' || replace(a.id::text, '-', '')
        WHERE a.access_type = 'sandbox' AND (a.status <> 'approved' OR a.end_date < $1::date)
          AND EXISTS (SELECT 1 FROM information_schema.role_table_grants t WHERE t.grantee = r.rolname AND t.table_schema = 'openapi')`,
      [today],
    );
    for (const { id } of rows) {
      await this.db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA openapi FROM "${openSandboxRoleOf(id)}"`);
      for (const [role, fp] of this.granted) if (fp.includes(id)) this.granted.delete(role);
    }
    return rows.length;
  }
}
