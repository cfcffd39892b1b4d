import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SecurityErrors } from '../security/security.errors';

/** `sandbox_<grant>`: a login-less role that may read exactly the current copies of one grant's datasets. */
export const sandboxRoleOf = (grantId: string) => `sandbox_${grantId.replace(/-/g, '')}`;

/**
 * PostgreSQL roles the sandbox runs under. Each sandbox grant has its own role with USAGE on the
 * sharing schema and SELECT on its dataset's current table only (a new version is a new table: the
 * grant follows it, the old table's privilege goes with the dropped table). A job over several grants
 * runs under a role that is a member of exactly those grants' roles. The service's login role is made
 * a member so that `SET LOCAL ROLE` works without being a superuser (it needs CREATEROLE).
 */
@Injectable()
export class SandboxRoles {
  /** role → tables already granted in this process (skips the GRANTs on the hot path). */
  private readonly granted = new Map<string, string>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Ensures the roles; `tables` maps grant id → its current qualified table. Returns the role to SET. */
  async ensure(tables: Map<string, string>): Promise<string> {
    const grantIds = [...tables.keys()].sort();
    const roles = grantIds.map(sandboxRoleOf);
    const role = grantIds.length === 1 ? roles[0] : `sandbox_set_${createHash('sha256').update(grantIds.join(',')).digest('hex').slice(0, 32)}`;
    const fingerprint = grantIds.map((g) => `${g}=${tables.get(g)}`).join(';');
    if (this.granted.get(role) === fingerprint) return role;
    await this.setUp(grantIds, roles, role, tables).catch((err: { code?: string }) => {
      // Without CREATEROLE (or membership) the sandbox cannot run at all: say so rather than a 500.
      if (err?.code === '42501') throw SecurityErrors.sandboxUnavailable();
      throw err;
    });
    this.granted.set(role, fingerprint);
    return role;
  }

  private async setUp(grantIds: string[], roles: string[], role: string, tables: Map<string, string>): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      // Role DDL is cluster-wide; concurrent GRANTs on one role conflict ("tuple concurrently updated").
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('govdata-sandbox-roles'))`);
      const create = async (name: string, inherit: boolean) => {
        const [exists] = await m.query(`SELECT 1 FROM pg_roles WHERE rolname=$1`, [name]);
        if (!exists) await m.query(`CREATE ROLE "${name}" NOLOGIN ${inherit ? 'INHERIT' : 'NOINHERIT'} NOCREATEDB NOCREATEROLE NOREPLICATION`);
        await m.query(`GRANT "${name}" TO CURRENT_USER`);
      };
      for (const g of grantIds) {
        const r = sandboxRoleOf(g);
        await create(r, false);
        await m.query(`GRANT USAGE ON SCHEMA sharing TO "${r}"`);
        await m.query(`GRANT SELECT ON ${tables.get(g)} TO "${r}"`);
      }
      if (grantIds.length > 1) {
        await create(role, true);
        for (const r of roles) await m.query(`GRANT "${r}" TO "${role}"`);
      }
    });
  }

  /**
   * Sandbox grants no longer active (suspended, revoked, expired) lose their role's table privileges
   * (run by the sweeper; jobs are refused for them anyway — this is the second line). Returns the roles stripped.
   */
  async revokeInactive(): Promise<number> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT g.id FROM sharing.grant_ g JOIN pg_roles r ON r.rolname = 'sandbox_' || replace(g.id::text, '-', '')
        WHERE g.delivery_method = 'sandbox' AND g.status <> 'active'
          AND EXISTS (SELECT 1 FROM information_schema.role_table_grants t WHERE t.grantee = r.rolname AND t.table_schema = 'sharing')`,
    );
    for (const { id } of rows) {
      const r = sandboxRoleOf(id);
      await this.dataSource.query(`REVOKE ALL ON ALL TABLES IN SCHEMA sharing FROM "${r}"`);
      for (const [role, fp] of this.granted) if (fp.includes(id)) this.granted.delete(role);
    }
    return rows.length;
  }

  /** Forgets cached grants (tests, or after a role was dropped). */
  reset(): void {
    this.granted.clear();
  }
}
