import { Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { homeOf, useAuth } from '../api/auth';
import { ProblemAlert } from '../components/ProblemAlert';

export function LoginPage() {
  const { user, login } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const next = params.get('next');

  if (user) return <Navigate to={next ?? homeOf(user)} replace />;

  const submit = async (v: { username: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const u = await login(v.username.trim(), v.password);
      navigate(next && next.startsWith('/') ? next : homeOf(u), { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ display: 'flex', justifyContent: 'center', padding: '64px 16px' }}>
      <Card style={{ width: 400 }}>
        <Typography.Title level={3} style={{ marginTop: 0 }}>
          工作人员登录
        </Typography.Title>
        <Typography.Paragraph type="secondary">部门经办人、审核人、数据局管理员与审计员使用统一账号登录。</Typography.Paragraph>
        {error ? (
          <div style={{ marginBottom: 16 }}>
            <ProblemAlert error={error} title="登录失败" />
          </div>
        ) : null}
        <Form layout="vertical" onFinish={submit} requiredMark={false} aria-label="登录表单">
          <Form.Item label="用户名" name="username" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            登录
          </Button>
        </Form>
      </Card>
    </div>
  );
}
