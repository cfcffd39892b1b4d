import { Button, Layout, Menu, Space } from 'antd';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { homeOf, useAuth } from '../api/auth';

const NAV = [
  { key: '/', label: <Link to="/">首页</Link> },
  { key: '/data', label: <Link to="/data">数据目录</Link> },
  { key: '/requests', label: <Link to="/requests">需求征集</Link> },
  { key: '/showcase', label: <Link to="/showcase">应用展示</Link> },
  { key: '/statistics', label: <Link to="/statistics">开放统计</Link> },
  { key: '/developer', label: <Link to="/developer">开发者中心</Link> },
];

/** 开放门户: header, content, footer. */
export function PublicLayout() {
  const { user } = useAuth();
  const location = useLocation();
  const navigate = useNavigate();
  const selected = NAV.map((n) => n.key).filter((k) => (k === '/' ? location.pathname === '/' : location.pathname.startsWith(k)));
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="skip-link" href="#main">
        跳到主要内容
      </a>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', background: '#fff', borderBottom: '1px solid #e5e7eb', paddingInline: 24 }}>
        <Link to="/" style={{ display: 'flex', alignItems: 'center', gap: 10, marginRight: 32, color: '#111827', fontWeight: 600, fontSize: 17, whiteSpace: 'nowrap' }}>
          <img src="/favicon.svg" alt="" width={28} height={28} />
          示范市公共数据开放平台
        </Link>
        <Menu mode="horizontal" selectedKeys={selected} items={NAV} style={{ flex: 1, borderBottom: 'none', minWidth: 0 }} aria-label="门户导航" />
        <Space>
          {user ? (
            <Button type="primary" onClick={() => navigate(homeOf(user))}>
              进入工作台
            </Button>
          ) : (
            <Button type="primary" onClick={() => navigate('/login')}>
              工作人员登录
            </Button>
          )}
        </Space>
      </Layout.Header>
      <Layout.Content id="main" tabIndex={-1}>
        <Outlet />
      </Layout.Content>
      <Layout.Footer style={{ textAlign: 'center', color: '#6b7280' }}>
        示范市数据局 主办 · 政务数据共享交换平台 · <a href="/api/docs">接口文档</a>
      </Layout.Footer>
    </Layout>
  );
}
