/** Staff roles 角色: 部门经办人, 部门审核人, 数据局管理员, 审计员, 数据安全官. */
export const STAFF_ROLES = ['dept_operator', 'dept_reviewer', 'data_admin', 'auditor', 'security_officer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const STAFF_ROLE_LABELS: Record<StaffRole, string> = {
  dept_operator: '部门经办人',
  dept_reviewer: '部门审核人',
  data_admin: '数据局管理员',
  auditor: '审计员',
  security_officer: '数据安全官',
};

/**
 * Roles that oversee every department read-only or as the bureau. The 数据安全官 (鄂州 2017) watches
 * security findings, sandbox and aggregation refusals and operators across departments; like an
 * auditor it reads everywhere but writes nothing: no endpoint that changes the catalog, requests or
 * grants lists it in @Roles, and endpoints open to any staff member check the caller's own department.
 */
export const ALL_DEPARTMENT_ROLES: readonly StaffRole[] = ['data_admin', 'auditor', 'security_officer'];

export interface StaffPrincipal {
  kind: 'staff';
  userId: string;
  username: string;
  displayName: string;
  deptId: string;
  deptName: string;
  roles: StaffRole[];
}

/** An external developer's app calling with an API key. */
export interface AppPrincipal {
  kind: 'app';
  appId: string;
  developerId: string;
  appName: string;
}

export type Principal = StaffPrincipal | AppPrincipal;

/**
 * Which departments' data a staff member may see. A required argument of every repository
 * method that reads departmental data, so forgetting to scope is a type error, not a leak.
 */
export type DepartmentScope = { readonly all: true } | { readonly all: false; readonly deptIds: readonly string[] };

/** The data bureau, auditors and security officers see every department; everyone else sees their own. */
export function departmentScopeOf(p: StaffPrincipal): DepartmentScope {
  if (p.roles.some((r) => ALL_DEPARTMENT_ROLES.includes(r))) return { all: true };
  return { all: false, deptIds: [p.deptId] };
}

export function scopeAllows(scope: DepartmentScope, deptId: string): boolean {
  return scope.all || scope.deptIds.includes(deptId);
}

/**
 * SQL fragment for a scope: `alias.column IN (...)` or TRUE. Parameter names are prefixed so
 * several scoped conditions can share one query builder.
 */
export function scopeCondition(scope: DepartmentScope, column: string): { sql: string; params: Record<string, unknown> } {
  if (scope.all) return { sql: 'TRUE', params: {} };
  if (scope.deptIds.length === 0) return { sql: 'FALSE', params: {} };
  const name = `scope_${column.replace(/\W/g, '_')}`;
  return { sql: `${column} IN (:...${name})`, params: { [name]: scope.deptIds } };
}
