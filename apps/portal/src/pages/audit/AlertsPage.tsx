import { App, Button, Card, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';

interface Alert {
  id: string;
  rule: string;
  severity: string;
  status: 'open' | 'acknowledged' | 'closed';
  title: { zh: string; en: string };
  subject: Record<string, unknown>;
  evidenceSeqs: number[];
  createdAt: string;
  note: string | null;
}

const SEVERITY: Record<string, string> = { high: 'red', medium: 'orange', low: 'blue', critical: 'magenta' };
const STATUS = { open: '待处理', acknowledged: '已确认', closed: '已关闭' } as const;

/** 告警队列: what the audit rules flagged; acknowledge, then close with a note. */
export default function AlertsPage() {
  const { message } = App.useApp();
  // The status (?status=), page and size are in the URL; the server pages, newest first.
  const paging = usePageParams('', 20);
  const s = paging.params.get('status');
  const status: Alert['status'] = s === 'acknowledged' || s === 'closed' ? s : 'open';
  const setStatus = (next: Alert['status']) => paging.setFilter({ status: next === 'open' ? undefined : next });
  const list = useAsync((signal) => api<Paged<Alert>>('/api/audit/alerts', { signal, query: { status, ...paging.query } }), [status, paging.page, paging.pageSize]);
  const [closing, setClosing] = useState<Alert>();
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const act = async (a: Alert, kind: 'acknowledge' | 'close', body?: unknown) => {
    setError(undefined);
    try {
      await api(`/api/audit/alerts/${a.id}/${kind}`, { method: 'POST', body: body ?? {} });
      message.success(kind === 'close' ? '已关闭' : '已确认');
      setClosing(undefined);
      // Acknowledged or closed, it leaves the status it was listed under: the last one on a later page goes back a page.
      if (list.data?.items.length === 1 && paging.page > 1) paging.setPage(paging.page - 1);
      else list.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div>
      <h1 className="page-title">告警队列</h1>
      <Card>
        <Segmented value={status} onChange={(v) => setStatus(v as Alert['status'])} options={Object.entries(STATUS).map(([value, label]) => ({ value, label }))} style={{ marginBottom: 12 }} aria-label="告警状态" />
        {list.error || error ? <ProblemAlert error={list.error ?? error} onRetry={list.reload} /> : null}
        <Table<Alert>
          rowKey="id"
          size="small"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: status === 'open' ? '没有待处理的告警' : '暂无记录' }}
          pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
          expandable={{ expandedRowRender: (a) => <pre style={{ margin: 0, fontSize: 12 }}>{JSON.stringify({ subject: a.subject, evidenceSeqs: a.evidenceSeqs, note: a.note }, null, 2)}</pre> }}
          columns={[
            { title: '时间', dataIndex: 'createdAt', width: 170, render: (t: string) => new Date(t).toLocaleString('zh-CN') },
            { title: '级别', dataIndex: 'severity', width: 80, render: (s: string) => <Tag color={SEVERITY[s] ?? 'default'}>{s}</Tag> },
            { title: '告警', render: (_: unknown, a) => a.title.zh },
            { title: '规则', dataIndex: 'rule', render: (r: string) => <Typography.Text code>{r}</Typography.Text> },
            { title: '证据记录', render: (_: unknown, a) => a.evidenceSeqs.slice(0, 5).join('、') + (a.evidenceSeqs.length > 5 ? '…' : '') },
            {
              title: '操作',
              width: 150,
              render: (_: unknown, a) => (
                <Space>
                  {a.status === 'open' && (
                    <Button size="small" onClick={() => act(a, 'acknowledge')}>
                      确认
                    </Button>
                  )}
                  {a.status !== 'closed' && (
                    <Button size="small" onClick={() => (setNote(''), setClosing(a))}>
                      关闭
                    </Button>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      <Modal open={!!closing} title="关闭告警" onCancel={() => setClosing(undefined)} onOk={() => closing && act(closing, 'close', { note })} okButtonProps={{ disabled: note.trim().length < 2 }}>
        <Input.TextArea rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder="处理说明" aria-label="处理说明" />
      </Modal>
    </div>
  );
}
