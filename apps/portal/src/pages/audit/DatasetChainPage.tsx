import { Button, Card, Col, Empty, Form, Row, Segmented, Select, Space, Statistic, Table, Tag, Timeline, Typography } from 'antd';
import { useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { actorLabel, DatasetChain, eventLabel, Trace } from './auditTypes';
import { LogStatusCard } from './LogStatusCard';
import { useDatasetOptions } from './useDatasetOptions';

const time = (t: string) => new Date(t).toLocaleString('zh-CN');

/** 数据链条: for one dataset, catalog versions → ingest versions → requests and grants → every read, from the signed log. */
export default function DatasetChainPage() {
  const [params, setParams] = useSearchParams();
  const datasetId = params.get('datasetId') ?? undefined;
  const datasets = useDatasetOptions();
  // The stages and the counts once per dataset (pageSize=1: its reads come from ReadsTable, page by page).
  const chain = useAsync((signal) => (datasetId ? api<DatasetChain>(`/api/audit/traces/datasets/${encodeURIComponent(datasetId)}/chain`, { signal, query: { pageSize: 1 } }) : Promise.resolve(undefined)), [datasetId]);
  return (
    <div>
      <h1 className="page-title">数据链条</h1>
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col xs={24} lg={16}>
          <Card>
            <Form layout="inline" name="chainQuery" aria-label="选择数据集" initialValues={{ datasetId }} onFinish={(v: { datasetId?: string }) => v.datasetId && setParams({ datasetId: v.datasetId })}>
              <Form.Item label="数据集" name="datasetId" rules={[{ required: true, message: '请选择或输入数据集' }]}>
                <Select
                  showSearch
                  allowClear
                  style={{ width: 420 }}
                  loading={datasets.loading}
                  optionFilterProp="label"
                  options={datasets.options}
                  placeholder="选择数据集（或粘贴数据集 ID）"
                  notFoundContent="审计日志中还没有数据集"
                />
              </Form.Item>
              <Button type="primary" htmlType="submit">
                查看链条
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <LogStatusCard compact />
        </Col>
      </Row>
      {!datasetId ? (
        <Card>
          <Empty description="选择一个数据集，查看它从编目、归集、授权到每一次读取的完整链条" />
        </Card>
      ) : (
        <PageState loading={chain.loading} error={chain.error} data={chain.data} onRetry={chain.reload}>
          {(c) => <Chain c={c} name={datasets.name(c.datasetId)} />}
        </PageState>
      )}
    </div>
  );
}

function Chain({ c, name }: { c: DatasetChain; name: string }) {
  const navigate = useNavigate();
  const s = c.summary;
  return (
    <div style={{ display: 'grid', gap: 16 }} data-testid="dataset-chain">
      <Card
        title={name}
        extra={
          <Button onClick={() => navigate(`/audit/timeline?datasetId=${encodeURIComponent(c.datasetId)}`)} aria-label="查看该数据集的时间线">
            时间线
          </Button>
        }
      >
        <Row gutter={16}>
          {[
            ['目录版本', s.catalogVersions],
            ['归集版本', s.ingestVersions],
            ['授权', s.grants],
            ['读取（允许）', s.reads],
            ['读取（拒绝）', s.refused],
          ].map(([t, v]) => (
            <Col key={t} xs={12} md={4}>
              <Statistic title={t} value={v} valueStyle={t === '读取（拒绝）' && Number(v) > 0 ? { color: '#cf1322' } : undefined} />
            </Col>
          ))}
        </Row>
        <Typography.Text type="secondary">数据集 {c.datasetId}{c.entryId ? ` · 目录 ${c.entryId}` : ''} · 每一环都来自已签名的审计记录</Typography.Text>
      </Card>
      <Row gutter={16}>
        <Col xs={24} md={8}>
          <Stage title="① 目录版本" items={c.catalogVersions} empty="日志中没有目录事件" />
        </Col>
        <Col xs={24} md={8}>
          <Stage title="② 归集版本" items={c.ingestVersions} empty="还没有归集版本" render={(r) => (r.refs?.version ? `第 ${r.refs.version} 版` : '')} />
        </Col>
        <Col xs={24} md={8}>
          <Stage title="③ 申请与授权" items={c.grants} empty="没有共享申请或授权" render={(r) => (r.refs?.grantId ? `授权 ${String(r.refs.grantId).slice(0, 8)}` : '')} />
        </Col>
      </Row>
      <ReadsTable datasetId={c.datasetId} total={s.reads + s.refused} />
    </div>
  );
}

/** ④ 读取: paged on the server, oldest first, its page, size and outcome filter in the URL (?page=&pageSize=&outcome=). */
function ReadsTable({ datasetId, total }: { datasetId: string; total: number }) {
  const paging = usePageParams('', 20);
  const o = paging.params.get('outcome');
  const outcome = o === 'allowed' || o === 'denied' ? o : undefined;
  const reads = useAsync(
    (signal) => api<Paged<Trace>>(`/api/audit/traces/datasets/${encodeURIComponent(datasetId)}/chain/reads`, { signal, query: { outcome, ...paging.query } }),
    [datasetId, outcome, paging.page, paging.pageSize],
  );
  return (
    <Card
      title={`④ 读取（${total}）`}
      extra={
        <Segmented
          aria-label="按读取结果筛选"
          value={outcome ?? 'all'}
          onChange={(v) => paging.setFilter({ outcome: v === 'all' ? undefined : String(v) })}
          options={[
            { value: 'all', label: '全部' },
            { value: 'allowed', label: '允许' },
            { value: 'denied', label: '拒绝' },
          ]}
        />
      }
    >
      {reads.error ? <ProblemAlert error={reads.error} title="加载失败" onRetry={reads.reload} /> : null}
      <Table<Trace>
        rowKey="seq"
        size="small"
        loading={reads.loading}
        dataSource={reads.data?.items ?? []}
        data-testid="chain-reads"
        locale={{ emptyText: outcome ? '没有符合条件的读取' : '还没有人读取该数据集' }}
        pagination={paging.pagination(reads.data?.total, { showSizeChanger: true })}
        columns={[
          { title: '序号', dataIndex: 'seq', width: 80 },
          { title: '时间', dataIndex: 'occurredAt', width: 180, render: time },
          { title: '方式', dataIndex: 'eventName', render: eventLabel },
          { title: '读取者', render: (_: unknown, r) => actorLabel(r) },
          { title: '授权', render: (_: unknown, r) => (r.refs?.grantId ? String(r.refs.grantId).slice(0, 8) : '—') },
          {
            title: '结果',
            render: (_: unknown, r) => (
              <Space size={2}>
                <Tag color={r.outcome === 'allowed' ? 'success' : 'error'}>{r.outcome === 'allowed' ? '允许' : '拒绝'}</Tag>
                {r.rowCount != null && <span>{r.rowCount} 行</span>}
                {r.personalData && <Tag color="orange">个人信息</Tag>}
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}

function Stage({ title, items, empty, render }: { title: string; items: Trace[]; empty: string; render?: (r: Trace) => string }) {
  return (
    <Card title={title} size="small" style={{ height: '100%' }}>
      {items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty} />
      ) : (
        <Timeline
          items={items.slice(0, 50).map((r) => ({
            key: r.seq,
            color: r.outcome === 'denied' ? 'red' : 'blue',
            content: (
              <div>
                <Typography.Text strong>{eventLabel(r.eventName)}</Typography.Text> {render?.(r)}
                <div style={{ fontSize: 12, color: '#6b7280' }}>
                  {time(r.occurredAt)} · {actorLabel(r)} · #{r.seq}
                </div>
              </div>
            ),
          }))}
        />
      )}
      {items.length > 50 && <Typography.Text type="secondary">另有 {items.length - 50} 条，见时间线</Typography.Text>}
    </Card>
  );
}
