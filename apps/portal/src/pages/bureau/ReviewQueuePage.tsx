import { Card, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api } from '../../api/client';
import type { EntryView } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { DATA_DOMAINS, OPEN_TYPES, SHARE_TYPES, label } from '../../standard';

/** 目录审核队列: entries submitted by departments, oldest first. */
export default function ReviewQueuePage() {
  // Paged on the server, longest waiting first; the page and size are in the URL.
  const paging = usePageParams('', 20);
  const q = useAsync((signal) => api<Paged<EntryView>>('/api/catalog/reviews', { signal, query: paging.query }), [paging.page, paging.pageSize]);
  return (
    <div>
      <h1 className="page-title">目录审核</h1>
      <Card>
        {q.error ? <ProblemAlert error={q.error} title="加载失败" onRetry={q.reload} /> : null}
        <Table<EntryView>
          rowKey="id"
          loading={q.loading}
          dataSource={q.data?.items ?? []}
          locale={{ emptyText: '审核队列为空：部门提交的目录会出现在这里' }}
          pagination={{ ...paging.pagination(q.data?.total, { showSizeChanger: true }), showTotal: (t: number) => `共 ${t} 条待审核` }}
          columns={[
            {
              title: '信息资源名称',
              render: (_: unknown, e) => (
                <Space direction="vertical" size={0}>
                  <Link to={`/bureau/reviews/${e.id}`}>{e.working.metadata.name}</Link>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {e.working.metadata.abstract}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: '提供部门', dataIndex: 'deptName', width: 200 },
            { title: '类型', width: 100, render: (_: unknown, e) => (e.changeStatus ? <Tag color="purple">变更 v{e.latestVersion}</Tag> : <Tag color="blue">新编目</Tag>) },
            { title: '领域', width: 100, render: (_: unknown, e) => label(DATA_DOMAINS, e.working.metadata.domainCode) },
            { title: '共享 / 开放', width: 200, render: (_: unknown, e) => `${label(SHARE_TYPES, e.working.metadata.share?.type)} / ${label(OPEN_TYPES, e.working.metadata.open?.type)}` },
            { title: '提交时间', width: 170, render: (_: unknown, e) => (e.working.submittedAt ? new Date(e.working.submittedAt).toLocaleString('zh-CN') : '—') },
            {
              title: '操作',
              width: 90,
              render: (_: unknown, e) => <Link to={`/bureau/reviews/${e.id}`}>审核</Link>,
            },
          ]}
        />
      </Card>
    </div>
  );
}
