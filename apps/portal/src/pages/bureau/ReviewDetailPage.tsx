import { App, Breadcrumb, Button, Card, Col, Input, Modal, Row, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import type { EntryView, InfoSystem } from '../../api/types';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useAsync } from '../../components/useAsync';
import { FindingsPanel } from '../workbench/FindingsPanel';
import { MetadataRow, metadataRows } from './metadataRows';

interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
  [k: string]: unknown;
}

/** 审核: every field with a box for a comment on it; approve publishes, return sends the comments back. */
export default function ReviewDetailPage() {
  const { id } = useParams();
  const entry = useAsync((signal) => api<EntryView>(`/api/catalog/entries/${id}`, { signal }), [id]);
  const systems = useAsync((signal) => (entry.data ? api<InfoSystem[]>('/api/catalog/systems', { signal, query: { deptId: entry.data.deptId } }) : Promise.resolve([])), [entry.data?.deptId]);
  const diff = useAsync(
    (signal) =>
      entry.data?.publishedVersion && entry.data.latestVersion > entry.data.publishedVersion
        ? api<{ changes: FieldChange[] }>(`/api/catalog/entries/${id}/diff`, { signal, query: { from: entry.data.publishedVersion, to: entry.data.latestVersion } })
        : Promise.resolve(undefined),
    [entry.data?.latestVersion],
  );
  return (
    <div>
      <Breadcrumb items={[{ title: <Link to="/bureau/reviews">目录审核</Link> }, { title: entry.data?.working.metadata.name ?? '审核' }]} style={{ marginBottom: 12 }} />
      <PageState loading={entry.loading} error={entry.error} data={entry.data} onRetry={entry.reload}>
        {(e) => <Review entry={e} systemName={(sid) => systems.data?.find((s) => s.id === sid)?.name} changes={diff.data?.changes} />}
      </PageState>
    </div>
  );
}

function Review({ entry, systemName, changes }: { entry: EntryView; systemName: (id: string) => string | undefined; changes?: FieldChange[] }) {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const [comments, setComments] = useState<Record<string, string>>({});
  const [summary, setSummary] = useState('');
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [confirmApprove, setConfirmApprove] = useState(false);
  const pending = entry.working.state === 'submitted';
  const changed = new Set((changes ?? []).map((c) => String(c.path ?? c.field ?? '')));
  const rows = metadataRows(entry.working.metadata, systemName);
  const commentCount = Object.values(comments).filter((c) => c.trim()).length;

  const act = async (kind: 'approve' | 'return') => {
    setBusy(kind);
    setError(undefined);
    try {
      if (kind === 'approve') {
        const done = await api<EntryView>(`/api/catalog/entries/${entry.id}/approve`, { body: summary.trim() ? { comment: summary.trim() } : {} });
        message.success(`已审核通过并发布，资源代码 ${done.resourceCode}`);
      } else {
        const fields = Object.fromEntries(Object.entries(comments).filter(([, v]) => v.trim()).map(([k, v]) => [k, v.trim()]));
        await api<EntryView>(`/api/catalog/entries/${entry.id}/return`, { body: { summary: summary.trim() || undefined, fields } });
        message.success('已退回部门修改');
      }
      navigate('/bureau/reviews');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
      setConfirmApprove(false);
    }
  };

  return (
    <Row gutter={16}>
      <Col xs={24} xl={16}>
        <Card
          title={
            <Space wrap>
              <span className="page-title" style={{ margin: 0 }}>
                {entry.working.metadata.name}
              </span>
              <Tag>{entry.deptName}</Tag>
              {entry.changeStatus ? <Tag color="purple">变更 第 {entry.latestVersion} 版</Tag> : <Tag color="blue">新编目</Tag>}
              {!pending && <Tag color="default">当前不在审核中</Tag>}
            </Space>
          }
        >
          {error ? (
            <div style={{ marginBottom: 12 }}>
              <ProblemAlert error={error} title="审核操作失败" />
            </div>
          ) : null}
          <Table<MetadataRow>
            size="small"
            rowKey="path"
            pagination={false}
            dataSource={rows}
            data-testid="review-fields"
            columns={[
              {
                title: '字段',
                dataIndex: 'label',
                width: 150,
                render: (l: string, r) => (
                  <Space direction="vertical" size={0}>
                    <Typography.Text strong>{l}</Typography.Text>
                    {changed.has(r.path) && <Tag color="orange">本次变更</Tag>}
                  </Space>
                ),
              },
              { title: '内容', dataIndex: 'value', render: (v: string) => <span style={{ whiteSpace: 'pre-wrap' }}>{v || '—'}</span> },
              {
                title: '审核意见',
                width: 260,
                render: (_: unknown, r) => (
                  <Input.TextArea
                    autoSize={{ minRows: 1, maxRows: 4 }}
                    placeholder="可选：针对此字段的意见"
                    aria-label={`${r.label}的审核意见`}
                    disabled={!pending}
                    value={comments[r.path] ?? ''}
                    onChange={(e) => setComments({ ...comments, [r.path]: e.target.value })}
                  />
                ),
              },
            ]}
          />
          <div style={{ marginTop: 16 }}>
            <Typography.Text strong>总体意见</Typography.Text>
            <Input.TextArea rows={2} value={summary} onChange={(e) => setSummary(e.target.value)} disabled={!pending} aria-label="总体审核意见" style={{ marginTop: 6 }} />
          </div>
          <Space style={{ marginTop: 16 }}>
            <Button type="primary" disabled={!pending || !!busy} loading={busy === 'approve'} onClick={() => setConfirmApprove(true)} data-testid="approve">
              审核通过并发布
            </Button>
            <Button danger disabled={!pending || !!busy || (commentCount === 0 && !summary.trim())} loading={busy === 'return'} onClick={() => act('return')} data-testid="return">
              退回修改{commentCount ? `（${commentCount} 条字段意见）` : ''}
            </Button>
          </Space>
        </Card>
      </Col>
      <Col xs={24} xl={8}>
        <FindingsPanel findings={entry.working.findings} />
      </Col>
      <Modal open={confirmApprove} title="确认审核通过" okText="通过并发布" onOk={() => act('approve')} onCancel={() => setConfirmApprove(false)} confirmLoading={busy === 'approve'}>
        通过后目录即发布{entry.resourceCode ? '' : '，并生成信息资源代码'}，部门可据此归集数据。
      </Modal>
    </Row>
  );
}
