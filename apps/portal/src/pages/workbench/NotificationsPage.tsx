import { Badge, Button, Card, List, Segmented, Space, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';

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
  // The scope (?view=all), page and size are in the URL; the server pages, newest first.
  const paging = usePageParams('', 20);
  const unread = paging.params.get('view') !== 'all';
  const setUnread = (u: boolean) => paging.setFilter({ view: u ? undefined : 'all' });
  const list = useAsync(
    (signal) => api<Paged<Notice>>('/api/sharing/notifications', { signal, query: { unread: unread ? 'true' : undefined, ...paging.query } }),
    [unread, paging.page, paging.pageSize],
  );
  const [error, setError] = useState<unknown>();
  const read = async (n: Notice) => {
    try {
      await api(`/api/sharing/notifications/${n.id}/read`, { method: 'POST' });
      // Read, it leaves the unread view: the last one on a later page goes back a page instead of showing it empty.
      if (unread && list.data?.items.length === 1 && paging.page > 1) paging.setPage(paging.page - 1);
      else list.reload();
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
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: unread ? '没有未读消息' : '暂无消息' }}
          pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
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
