import { departmentScopeOf, DepartmentScope, scopeAllows, scopeCondition, STAFF_ROLE_LABELS, STAFF_ROLES, StaffPrincipal, StaffRole } from './principal';

const staff = (roles: StaffRole[], deptId = 'dept-a'): StaffPrincipal => ({
  kind: 'staff',
  userId: 'u1',
  username: 'u1',
  displayName: '用户',
  deptId,
  deptName: '部门',
  roles,
});

describe('departmentScopeOf', () => {
  it.each<[StaffRole[], DepartmentScope]>([
    [['dept_operator'], { all: false, deptIds: ['dept-a'] }],
    [['dept_reviewer'], { all: false, deptIds: ['dept-a'] }],
    [['dept_operator', 'dept_reviewer'], { all: false, deptIds: ['dept-a'] }],
    [['data_admin'], { all: true }],
    [['auditor'], { all: true }],
    [['dept_operator', 'data_admin'], { all: true }],
    [['dept_reviewer', 'auditor'], { all: true }],
    [['security_officer'], { all: true }],
  ])('roles %j → %j', (roles, expected) => {
    expect(departmentScopeOf(staff(roles))).toEqual(expected);
  });

  it('scopes a departmental role to the principal’s own department', () => {
    expect(departmentScopeOf(staff(['dept_operator'], 'dept-b'))).toEqual({ all: false, deptIds: ['dept-b'] });
  });
});

describe('STAFF_ROLES', () => {
  it('has the 数据安全官 role with its label', () => {
    expect(STAFF_ROLES).toContain('security_officer');
    expect(STAFF_ROLE_LABELS.security_officer).toBe('数据安全官');
    for (const r of STAFF_ROLES) expect(STAFF_ROLE_LABELS[r]).toBeTruthy();
  });
});

describe('scopeAllows', () => {
  it('lets an all-departments scope see any department', () => {
    expect(scopeAllows({ all: true }, 'anything')).toBe(true);
  });

  it('lets a departmental scope see only its departments', () => {
    const scope: DepartmentScope = { all: false, deptIds: ['dept-a', 'dept-c'] };
    expect(scopeAllows(scope, 'dept-a')).toBe(true);
    expect(scopeAllows(scope, 'dept-c')).toBe(true);
    expect(scopeAllows(scope, 'dept-b')).toBe(false);
    expect(scopeAllows(scope, '')).toBe(false);
    expect(scopeAllows(scope, 'dept-')).toBe(false);
  });

  it('lets an empty scope see nothing', () => {
    expect(scopeAllows({ all: false, deptIds: [] }, 'dept-a')).toBe(false);
  });
});

describe('scopeCondition', () => {
  it('is TRUE without parameters for all departments', () => {
    expect(scopeCondition({ all: true }, 'r.dept_id')).toEqual({ sql: 'TRUE', params: {} });
  });

  it('is FALSE for an empty scope, never an empty IN ()', () => {
    expect(scopeCondition({ all: false, deptIds: [] }, 'r.dept_id')).toEqual({ sql: 'FALSE', params: {} });
  });

  it('is an IN with a spread parameter named after the column', () => {
    expect(scopeCondition({ all: false, deptIds: ['dept-a', 'dept-b'] }, 'r.dept_id')).toEqual({
      sql: 'r.dept_id IN (:...scope_r_dept_id)',
      params: { scope_r_dept_id: ['dept-a', 'dept-b'] },
    });
  });

  it('gives two columns distinct parameter names so they can share one query', () => {
    const a = scopeCondition({ all: false, deptIds: ['x'] }, 'r.dept_id');
    const b = scopeCondition({ all: false, deptIds: ['y'] }, 'g.provider_dept_id');
    expect(Object.keys(a.params)).not.toEqual(Object.keys(b.params));
    expect({ ...a.params, ...b.params }).toEqual({ scope_r_dept_id: ['x'], scope_g_provider_dept_id: ['y'] });
    // department ids never end up in the SQL text
    expect(a.sql).not.toContain('x');
  });
});
