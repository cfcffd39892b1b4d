import { Badge, Button, Card, List, Segmented, Space, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useAsync } from '../../components/useAsync';

interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  subjectType: string | null;
  subjectId: string | null;
  createdAt: string;
  readAt: string | null;
}

/** 消息通知: the department's and role's inbox (requests to answer, decisions, deadlines). */
export default function NotificationsPage() {
  const [unread, setUnread] = useState(true);
  const list = useAsync((signal) => api<Notice[]>('/api/sharing/notifications', { signal, query: { unread: unread ? 'true' : undefined } }), [unread]);
  const [error, setError] = useState<unknown>();
  const read = async (n: Notice) => {
    try {
      await api(`/api/sharing/notifications/${n.id}/read`, { method: 'POST' });
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div>
      <h1 className="page-title">消息通知</h1>
      <Card>
        <Segmented value={unread ? 'unread' : 'all'} onChange={(v) => setUnread(v === 'unread')} options={[{ value: 'unread', label: '未读' }, { value: 'all', label: '全部' }]} style={{ marginBottom: 12 }} aria-label="消息范围" />
        {list.error || error ? <ProblemAlert error={list.error ?? error} onRetry={list.reload} /> : null}
        <List
          loading={list.loading}
          dataSource={list.data ?? []}
          locale={{ emptyText: unread ? '没有未读消息' : '暂无消息' }}
          renderItem={(n) => (
            <List.Item
              actions={[
                n.subjectType === 'request' ? <Link to="/workbench/sharing">去处理</Link> : null,
                !n.readAt ? (
                  <Button size="small" type="link" onClick={() => read(n)}>
                    标为已读
                  </Button>
                ) : null,
              ].filter(Boolean)}
            >
              <List.Item.Meta
                title={
                  <Space>
                    {!n.readAt && <Badge status="processing" />}
                    {n.title}
                  </Space>
                }
                description={
                  <>
                    {n.body && <div>{n.body}</div>}
                    <Typography.Text type="secondary">{new Date(n.createdAt).toLocaleString('zh-CN')}</Typography.Text>
                  </>
                }
              />
            </List.Item>
          )}
        />
      </Card>
    </div>
  );
}
