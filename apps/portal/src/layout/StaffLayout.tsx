import { Avatar, Button, Dropdown, Layout, Menu, Space, Tag, Typography } from 'antd';
import type { MenuProps } from 'antd';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { ROLE_LABELS, useAuth } from '../api/auth';
import type { Role } from '../api/types';

interface NavItem {
  path: string;
  label: string;
  roles?: Role[];
}

interface NavGroup {
  key: string;
  label: string;
  roles: Role[];
  items: NavItem[];
}

/** Navigation by role: each group and item appears only for the roles that may use it. */
const NAV: NavGroup[] = [
  {
    key: 'workbench',
    label: '部门工作台',
    roles: ['dept_operator', 'dept_reviewer'],
    items: [
      { path: '/workbench/catalog', label: '我的目录' },
      { path: '/workbench/import', label: '目录确认表导入', roles: ['dept_operator'] },
      { path: '/workbench/datasets', label: '数据归集' },
      { path: '/workbench/rectifications', label: '整改任务' },
      { path: '/security/findings', label: '敏感数据发现' },
      { path: '/bureau/deadlines', label: '编目时限' },
      { path: '/bureau/conflicts', label: '一数一源' },
      { path: '/workbench/sharing', label: '共享申请' },
      { path: '/workbench/grants', label: '共享授权' },
      { path: '/workbench/needs', label: '供需对接' },
      { path: '/workbench/open', label: '开放互动' },
      { path: '/workbench/notifications', label: '消息通知' },
    ],
  },
  {
    key: 'bureau',
    label: '数据局',
    roles: ['data_admin'],
    items: [
      { path: '/bureau/reviews', label: '目录审核' },
      { path: '/bureau/conflicts', label: '一数一源冲突' },
      { path: '/bureau/data-elements', label: '数据元注册' },
      { path: '/bureau/statistics', label: '统计看板' },
      { path: '/bureau/deadlines', label: '逾期清单' },
      { path: '/workbench/catalog', label: '代部门编目' },
      { path: '/workbench/datasets', label: '数据集' },
      { path: '/workbench/sharing', label: '共享督办' },
      { path: '/workbench/needs', label: '供需对接' },
      { path: '/workbench/open', label: '开放互动' },
      { path: '/audit/assessment', label: '考核评估' },
      { path: '/bureau/blacklist', label: '接口黑名单' },
    ],
  },
  {
    key: 'audit',
    label: '审计',
    roles: ['auditor'],
    items: [
      { path: '/audit/records', label: '访问追溯' },
      { path: '/audit/timeline', label: '审计时间线' },
      { path: '/audit/chain', label: '数据链条' },
      { path: '/audit/log', label: '日志校验' },
      { path: '/audit/alerts', label: '告警队列' },
      { path: '/audit/assessment', label: '考核评估' },
      { path: '/bureau/statistics', label: '统计看板' },
    ],
  },
  {
    key: 'security',
    label: '数据安全',
    roles: ['security_officer', 'data_admin', 'auditor'],
    items: [
      { path: '/security/findings', label: '敏感数据发现' },
      { path: '/security/sandbox', label: '沙箱拒绝' },
      { path: '/security/aggregation', label: '聚合风险拒绝' },
      { path: '/security/operators', label: '授权运营' },
    ],
  },
  {
    key: 'common',
    label: '公共',
    roles: ['dept_operator', 'dept_reviewer', 'data_admin', 'auditor', 'security_officer'],
    items: [{ path: '/search', label: '目录检索' }],
  },
];

export function StaffLayout() {
  const { user, logout, hasRole } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();

  const items: MenuProps['items'] = NAV.filter((g) => hasRole(...g.roles)).map((g) => ({
    key: g.key,
    type: 'group',
    label: g.label,
    children: g.items
      .filter((i) => !i.roles || hasRole(...i.roles))
      .map((i) => ({ key: `${g.key}:${i.path}`, label: <Link to={i.path}>{i.label}</Link> })),
  }));
  // Highlight the longest matching path (a detail page highlights its list).
  const allKeys = (items ?? []).flatMap((g) => ((g as { children: { key: string }[] }).children ?? []).map((c) => c.key));
  const match = allKeys
    .filter((k) => location.pathname.startsWith(k.slice(k.indexOf(':') + 1)))
    .sort((a, b) => b.length - a.length)[0];

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="skip-link" href="#main">
        跳到主要内容
      </a>
      <Layout.Sider width={220} theme="light" breakpoint="lg" collapsedWidth={0} style={{ borderRight: '1px solid #e5e7eb' }}>
        <Link to="/" style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '16px 20px', fontWeight: 600, color: '#111827' }}>
          <img src="/favicon.svg" alt="" width={24} height={24} />
          政务数据共享交换平台
        </Link>
        <nav aria-label="工作台导航">
          <Menu mode="inline" items={items} selectedKeys={match ? [match] : []} style={{ borderInlineEnd: 'none' }} />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', borderBottom: '1px solid #e5e7eb', display: 'flex', justifyContent: 'flex-end', alignItems: 'center', paddingInline: 24 }}>
          {user && (
            <Dropdown
              menu={{
                items: [
                  { key: 'home', label: '返回门户首页', onClick: () => navigate('/') },
                  {
                    key: 'logout',
                    label: '退出登录',
                    onClick: () => {
                      logout();
                      navigate('/login');
                    },
                  },
                ],
              }}
            >
              <Button type="text" aria-label={`当前用户 ${user.displayName}，打开账号菜单`} data-testid="user-menu">
                <Space>
                  <Avatar size="small" style={{ background: '#1d4ed8' }}>
                    {user.displayName.slice(-3, -2) || user.username[0]}
                  </Avatar>
                  <span>{user.displayName}</span>
                  <Typography.Text type="secondary">{user.deptName}</Typography.Text>
                  {user.roles.map((r) => (
                    <Tag key={r} color="blue">
                      {ROLE_LABELS[r]}
                    </Tag>
                  ))}
                </Space>
              </Button>
            </Dropdown>
          )}
        </Layout.Header>
        <Layout.Content id="main" tabIndex={-1} style={{ padding: 24 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
