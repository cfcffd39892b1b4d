import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { SandboxRoleSet } from '@gov/shared';
import { DataSource } from 'typeorm';
import { OpenSandboxErrors } from './open-sandbox.errors';

/** `opensandbox_<application>`: a login-less role that may read exactly the open (masked) copy of one approved application's dataset. */
@Injectable()
export class OpenSandboxRoles extends SandboxRoleSet {
  constructor(@InjectDataSource() db: DataSource) {
    super(db, { schema: 'openapi', prefix: 'opensandbox', unavailable: () => OpenSandboxErrors.unavailable() });
  }

  /** Applications no longer approved or past their end date lose their role's table privileges (jobs are refused anyway). */
  async revokeInactive(today: string): Promise<number> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT a.id FROM openapi.conditional_application a JOIN pg_roles r ON r.rolname = 'opensandbox_' || replace(a.id::text, '-', '')
        WHERE a.access_type = 'sandbox' AND (a.status <> 'approved' OR a.end_date < $1::date)
          AND EXISTS (SELECT 1 FROM information_schema.role_table_grants t WHERE t.grantee = r.rolname AND t.table_schema = 'openapi')`,
      [today],
    );
    for (const { id } of rows) await this.revoke(id);
    return rows.length;
  }
}
