import { Button, Card, Col, Empty, Form, Input, Row, Segmented, Select, Space, Table, Tag, Timeline, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { actorLabel, eventLabel, Trace, TracePage } from './auditTypes';
import { useDatasetOptions } from './useDatasetOptions';

const PAGE = 50;
type Mode = 'datasetId' | 'actorId' | 'deptId';
const MODES: { value: Mode; label: string }[] = [
  { value: 'datasetId', label: '按数据集' },
  { value: 'actorId', label: '按操作者' },
  { value: 'deptId', label: '按部门' },
];

interface Readers {
  actor: { type: string; id: string; name: string | null };
  appId: string | null;
  deptId: string | null;
  accesses: number;
  denied: number;
  rows: number;
  personalData: boolean;
  firstAt: string;
  lastAt: string;
}

interface Accessed {
  datasetId: string | null;
  entryId: string | null;
  providerDeptId: string | null;
  accesses: number;
  denied: number;
  rows: number;
  personalData: boolean;
  lastAt: string;
}

/** 时间线: everything the signed log holds about one dataset, actor or department, newest first, paged on the server. */
export default function AuditTimelinePage() {
  const [params, setParams] = useSearchParams();
  const mode = (MODES.find((m) => params.has(m.value))?.value ?? 'datasetId') as Mode;
  const id = params.get(mode) ?? '';
  const [draftMode, setDraftMode] = useState<Mode>(mode);
  const [draft, setDraft] = useState(id);
  useEffect(() => (setDraftMode(mode), setDraft(id)), [mode, id]);
  const datasets = useDatasetOptions();
  const go = () => draft.trim() && setParams({ [draftMode]: draft.trim() });
  return (
    <div>
      <h1 className="page-title">审计时间线</h1>
      <Card style={{ marginBottom: 16 }}>
        <Space wrap>
          <Segmented aria-label="时间线对象" value={draftMode} onChange={(v) => (setDraftMode(v as Mode), setDraft(''))} options={MODES} />
          {draftMode === 'datasetId' ? (
            <Select
              aria-label="数据集"
              showSearch
              style={{ width: 420 }}
              value={draft || undefined}
              onChange={(v) => setDraft(v ?? '')}
              onSearch={(v) => /^[0-9a-f-]{36}$/i.test(v) && setDraft(v)}
              optionFilterProp="label"
              loading={datasets.loading}
              options={datasets.options}
              placeholder="选择数据集（或粘贴数据集 ID）"
            />
          ) : (
            <Input aria-label={draftMode === 'actorId' ? '操作者 ID（用户、应用或开发者）' : '部门 ID'} value={draft} onChange={(e) => setDraft(e.target.value)} onPressEnter={go} placeholder={draftMode === 'actorId' ? '用户、应用或开发者 ID' : '部门 ID'} style={{ width: 320 }} allowClear />
          )}
          <Button type="primary" onClick={go} disabled={!draft.trim()}>
            查看时间线
          </Button>
        </Space>
      </Card>
      {!id ? (
        <Card>
          <Empty description="选择一个数据集，或输入操作者、部门 ID，按时间查看其全部审计记录" />
        </Card>
      ) : (
        <Row gutter={16}>
          <Col xs={24} xl={14}>
            <TimelineCard mode={mode} id={id} title={mode === 'datasetId' ? datasets.name(id) : id} />
          </Col>
          <Col xs={24} xl={10}>{mode === 'datasetId' ? <ReadersCard datasetId={id} /> : <AccessedCard mode={mode} id={id} />}</Col>
        </Row>
      )}
    </div>
  );
}

function TimelineCard({ mode, id, title }: { mode: Mode; id: string; title: string }) {
  const first = useAsync((signal) => api<TracePage>('/api/audit/traces', { signal, query: { [mode]: id, limit: PAGE } }), [mode, id]);
  const [items, setItems] = useState<Trace[]>([]);
  const [cursor, setCursor] = useState<number | undefined>();
  const [more, setMore] = useState<{ loading: boolean; error?: unknown }>({ loading: false });
  useEffect(() => {
    setItems(first.data?.items ?? []);
    setCursor(first.data?.nextCursor ?? undefined);
  }, [first.data]);
  const loadMore = async () => {
    setMore({ loading: true });
    try {
      const p = await api<TracePage>('/api/audit/traces', { query: { [mode]: id, limit: PAGE, cursor } });
      setItems((x) => [...x, ...p.items]);
      setCursor(p.nextCursor ?? undefined);
      setMore({ loading: false });
    } catch (e) {
      setMore({ loading: false, error: e });
    }
  };
  return (
    <Card
      title={`时间线：${title}`}
      extra={mode === 'datasetId' && <Link to={`/audit/chain?datasetId=${encodeURIComponent(id)}`}>数据链条</Link>}
    >
      <PageState loading={first.loading} error={first.error} data={first.data} onRetry={first.reload} isEmpty={(d) => d.items.length === 0} empty={<Empty description="审计日志中没有相关记录" />}>
        {() => (
          <>
            <Timeline
              data-testid="audit-timeline"
              items={items.map((r) => ({
                key: r.seq,
                color: r.outcome === 'denied' ? 'red' : r.outcome === 'allowed' ? 'green' : 'blue',
                content: (
                  <div>
                    <Space size={6} wrap>
                      <Typography.Text strong>{eventLabel(r.eventName)}</Typography.Text>
                      <Typography.Text type="secondary" code style={{ fontSize: 11 }}>
                        {r.eventName}
                      </Typography.Text>
                      {r.outcome && <Tag color={r.outcome === 'allowed' ? 'success' : 'error'}>{r.outcome === 'allowed' ? '允许' : '拒绝'}</Tag>}
                      {r.rowCount != null && <span>{r.rowCount} 行</span>}
                      {r.personalData && <Tag color="orange">个人信息</Tag>}
                    </Space>
                    <div style={{ fontSize: 12, color: '#6b7280' }}>
                      {new Date(r.occurredAt).toLocaleString('zh-CN')} · {actorLabel(r)} · #{r.seq}
                      {r.correlationId ? ` · 关联号 ${r.correlationId.slice(0, 12)}` : ''}
                    </div>
                  </div>
                ),
              }))}
            />
            {more.error ? <ProblemAlert error={more.error} /> : null}
            {cursor != null && (
              <div style={{ textAlign: 'center' }}>
                <Button onClick={loadMore} loading={more.loading}>
                  加载更早的记录
                </Button>
              </div>
            )}
          </>
        )}
      </PageState>
    </Card>
  );
}

function ReadersCard({ datasetId }: { datasetId: string }) {
  // Paged on the server, most recent reader first; the page is in the URL (?rpage=), beside the timeline's subject.
  const paging = usePageParams('r', 10);
  const r = useAsync(
    (signal) => api<Paged<Readers>>(`/api/audit/traces/datasets/${encodeURIComponent(datasetId)}/readers`, { signal, query: paging.query }),
    [datasetId, paging.page, paging.pageSize],
  );
  return (
    <Card title="谁读取了这个数据集">
      {r.error ? <ProblemAlert error={r.error} onRetry={r.reload} /> : null}
      <Table<Readers>
        rowKey={(x) => `${x.actor.type}:${x.actor.id}:${x.appId}:${x.deptId}`}
        size="small"
        loading={r.loading}
        dataSource={r.data?.items ?? []}
        locale={{ emptyText: '还没有读取记录' }}
        pagination={paging.pagination(r.data?.total)}
        columns={[
          { title: '读取者', render: (_: unknown, x) => <Link to={`/audit/timeline?actorId=${encodeURIComponent(x.actor.id)}`}>{x.actor.name ?? `${x.actor.type} ${x.actor.id.slice(0, 8)}`}</Link> },
          { title: '次数', dataIndex: 'accesses', width: 60 },
          { title: '拒绝', dataIndex: 'denied', width: 60 },
          { title: '行数', dataIndex: 'rows', width: 70 },
          { title: '最近', dataIndex: 'lastAt', width: 110, render: (t: string) => t.slice(0, 10) },
        ]}
      />
    </Card>
  );
}

function AccessedCard({ mode, id }: { mode: Mode; id: string }) {
  const datasets = useDatasetOptions();
  // Paged on the server, most recently accessed first; the page is in the URL (?apage=).
  const paging = usePageParams('a', 10);
  const r = useAsync((signal) => api<Paged<Accessed>>('/api/audit/traces/accessed', { signal, query: { [mode]: id, ...paging.query } }), [mode, id, paging.page, paging.pageSize]);
  return (
    <Card title={mode === 'actorId' ? '该操作者访问了什么' : '该部门访问了什么'}>
      {r.error ? <ProblemAlert error={r.error} onRetry={r.reload} /> : null}
      <Table<Accessed>
        rowKey={(x) => `${x.datasetId}:${x.entryId}`}
        size="small"
        loading={r.loading}
        dataSource={r.data?.items ?? []}
        locale={{ emptyText: '没有数据访问记录' }}
        pagination={paging.pagination(r.data?.total)}
        columns={[
          { title: '数据集', render: (_: unknown, x) => (x.datasetId ? <Link to={`/audit/chain?datasetId=${encodeURIComponent(x.datasetId)}`}>{datasets.name(x.datasetId)}</Link> : (x.entryId ?? '—')) },
          { title: '次数', dataIndex: 'accesses', width: 60 },
          { title: '拒绝', dataIndex: 'denied', width: 60 },
          { title: '行数', dataIndex: 'rows', width: 70 },
          { title: '最近', dataIndex: 'lastAt', width: 110, render: (t: string) => t.slice(0, 10) },
        ]}
      />
    </Card>
  );
}
