import { App, Button, Card, Input, InputNumber, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';

interface Task {
  id: string;
  datasetId: string;
  datasetName: string | null;
  deptId: string;
  reportedBy: string | null;
  description: string;
  dueOn: string;
  status: 'open' | 'closed';
  closedByVersion: number | null;
  answer: string | null;
}

/** 整改任务: data problems reported by users, due in working days; closed by a newer version or a reasoned answer. */
export default function RectificationsPage() {
  const { message } = App.useApp();
  // The status (?status=), page and size are in the URL; the server pages.
  const paging = usePageParams('', 20);
  const status: 'open' | 'closed' = paging.params.get('status') === 'closed' ? 'closed' : 'open';
  const setStatus = (s: 'open' | 'closed') => paging.setFilter({ status: s === 'open' ? undefined : s });
  const list = useAsync((signal) => api<Paged<Task>>('/api/ingest/rectifications', { signal, query: { status, ...paging.query } }), [status, paging.page, paging.pageSize]);
  const [closing, setClosing] = useState<Task>();
  const [version, setVersion] = useState<number | null>(null);
  const [answer, setAnswer] = useState('');
  const [error, setError] = useState<unknown>();
  const close = async () => {
    if (!closing) return;
    setError(undefined);
    try {
      await api(`/api/ingest/rectifications/${closing.id}/close`, { body: version ? { version } : { answer: answer.trim() } });
      message.success('整改任务已关闭');
      setClosing(undefined);
      // Closed, it leaves the list it was in: the last one on a later page goes back a page.
      if (list.data?.items.length === 1 && paging.page > 1) paging.setPage(paging.page - 1);
      else list.reload();
    } catch (e) {
      setError(e);
    }
  };
  const today = new Date().toISOString().slice(0, 10);
  return (
    <div>
      <h1 className="page-title">整改任务</h1>
      <Card>
        <Segmented value={status} onChange={(v) => setStatus(v as 'open' | 'closed')} options={[{ value: 'open', label: '待整改' }, { value: 'closed', label: '已关闭' }]} style={{ marginBottom: 12 }} aria-label="任务状态" />
        {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
        <Table<Task>
          rowKey="id"
          size="small"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: status === 'open' ? '没有待整改的问题' : '暂无记录' }}
          pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
          columns={[
            { title: '数据集', render: (_: unknown, t) => <Link to={`/workbench/datasets/${t.datasetId}`}>{t.datasetName ?? t.datasetId.slice(0, 8)}</Link> },
            { title: '问题描述', dataIndex: 'description' },
            { title: '整改期限', dataIndex: 'dueOn', width: 140, render: (d: string, t) => <Tag color={t.status === 'open' && d < today ? 'error' : 'blue'}>{d}</Tag> },
            { title: '处理结果', render: (_: unknown, t) => (t.closedByVersion ? `已发布新版本 v${t.closedByVersion}` : (t.answer ?? '—')) },
            {
              title: '',
              width: 90,
              render: (_: unknown, t) =>
                t.status === 'open' && (
                  <Button size="small" onClick={() => (setVersion(null), setAnswer(''), setClosing(t))}>
                    关闭
                  </Button>
                ),
            },
          ]}
        />
      </Card>
      <Modal open={!!closing} title="关闭整改任务" onCancel={() => setClosing(undefined)} onOk={close} okButtonProps={{ disabled: !version && answer.trim().length < 10 }}>
        {error ? <ProblemAlert error={error} /> : null}
        <Typography.Paragraph type="secondary">提供修正后的新版本号，或说明无需修正的理由（至少 10 个字）。</Typography.Paragraph>
        <Space direction="vertical" style={{ width: '100%' }}>
          <InputNumber min={1} value={version} onChange={(v) => setVersion(v)} placeholder="新版本号" aria-label="修正后的新版本号" style={{ width: 200 }} />
          <Input.TextArea rows={3} value={answer} onChange={(e) => setAnswer(e.target.value)} placeholder="无需修正的理由" aria-label="无需修正的理由" disabled={!!version} />
        </Space>
      </Modal>
    </div>
  );
}
