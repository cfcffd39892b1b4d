import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SandboxRoleSet } from '@gov/shared';
import { DataSource } from 'typeorm';
import { SecurityErrors } from '../security/security.errors';

/** `sandbox_<grant>`: a login-less role that may read exactly the current copies of one grant's datasets. */
@Injectable()
export class SandboxRoles extends SandboxRoleSet {
  constructor(@InjectDataSource() db: DataSource) {
    super(db, { schema: 'sharing', prefix: 'sandbox', unavailable: () => SecurityErrors.sandboxUnavailable() });
  }

  /**
   * Sandbox grants no longer active (suspended, revoked, expired) lose their role's table privileges
   * (run by the sweeper). Returns the roles stripped.
   */
  async revokeInactive(): Promise<number> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT g.id FROM sharing.grant_ g JOIN pg_roles r ON r.rolname = 'sandbox_' || replace(g.id::text, '-', '')
        WHERE g.delivery_method = 'sandbox' AND g.status <> 'active'
          AND EXISTS (SELECT 1 FROM information_schema.role_table_grants t WHERE t.grantee = r.rolname AND t.table_schema = 'sharing')`,
    );
    for (const { id } of rows) await this.revoke(id);
    return rows.length;
  }
}
