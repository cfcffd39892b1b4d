import { DownloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Col, Form, Input, Row, Select, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, download, withQuery } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useAsync } from '../../components/useAsync';

interface Trace {
  seq: number;
  eventId: string;
  eventName: string;
  producer: string;
  occurredAt: string;
  correlationId: string | null;
  actor: { id?: string; name?: string; deptId?: string; type?: string; ip?: string } | null;
  object: { type: string; id: string } | null;
  refs: Record<string, string | number | null> | null;
  outcome: 'allowed' | 'denied' | null;
  rowCount: number | null;
  fields: string[] | null;
  personalData: boolean | null;
  payload: unknown;
}

interface TracePage {
  items: Trace[];
  nextCursor?: number | null;
}

interface Verification {
  ok: boolean;
  recordsChecked: number;
  treeSize: number;
  rootHash: string;
  firstBadSeq: number | null;
  problems: unknown[];
  latestStoredHead?: { treeSize: number; timestamp: string; keyId: string } | null;
}

type Filters = Record<string, string | undefined>;

const SERVICE: Record<string, string> = { catalog: '目录', ingest: '归集', sharing: '共享', 'open-api': '开放', audit: '审计' };

/** 访问追溯: trace search over the tamper-evident audit log, with its verification status and export. */
export default function AuditRecordsPage() {
  const [filters, setFilters] = useState<Filters>({});
  const [pages, setPages] = useState<Trace[]>([]);
  const [cursor, setCursor] = useState<number | undefined>();
  const first = useAsync((signal) => api<TracePage>('/api/audit/traces', { signal, query: { ...filters, limit: 50 } }), [JSON.stringify(filters)]);
  const verification = useAsync((signal) => api<Verification>('/api/audit/log/verification', { signal }), []);
  const [more, setMore] = useState<{ loading: boolean; error?: unknown }>({ loading: false });

  useEffect(() => {
    setPages(first.data?.items ?? []);
    setCursor(first.data?.nextCursor ?? undefined);
  }, [first.data]);

  const loadMore = async () => {
    setMore({ loading: true });
    try {
      const p = await api<TracePage>('/api/audit/traces', { query: { ...filters, limit: 50, cursor } });
      setPages((x) => [...x, ...p.items]);
      setCursor(p.nextCursor ?? undefined);
      setMore({ loading: false });
    } catch (e) {
      setMore({ loading: false, error: e });
    }
  };

  const v = verification.data;
  return (
    <div>
      <h1 className="page-title">访问追溯</h1>
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col xs={24} md={8}>
          <Card data-testid="log-verification">
            <Statistic
              title="审计日志校验"
              value={v ? (v.ok ? '完整' : '发现异常') : verification.error ? '不可用' : '校验中'}
              valueStyle={{ color: v ? (v.ok ? '#389e0d' : '#cf1322') : undefined }}
              prefix={<SafetyCertificateOutlined />}
            />
            {v && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                已校验 {v.recordsChecked} 条记录，树大小 {v.treeSize}
                {v.latestStoredHead ? `，最近签名 ${new Date(v.latestStoredHead.timestamp).toLocaleString('zh-CN')}` : ''}
              </Typography.Text>
            )}
          </Card>
        </Col>
        <Col xs={24} md={16}>
          <Card>
            <Form layout="inline" onFinish={(x: Filters) => setFilters(Object.fromEntries(Object.entries(x).filter(([, y]) => y)))} aria-label="审计检索条件" style={{ rowGap: 8 }}>
              <Form.Item label="数据集" name="datasetId">
                <Input allowClear placeholder="数据集或目录 ID" style={{ width: 200 }} />
              </Form.Item>
              <Form.Item label="操作者" name="actorId">
                <Input allowClear style={{ width: 160 }} />
              </Form.Item>
              <Form.Item label="部门" name="deptId">
                <Input allowClear style={{ width: 160 }} />
              </Form.Item>
              <Form.Item label="事件" name="eventName">
                <Input allowClear placeholder="如 sharing.data.accessed" style={{ width: 200 }} />
              </Form.Item>
              <Form.Item label="结果" name="outcome">
                <Select allowClear style={{ width: 100 }} options={[{ value: 'allowed', label: '允许' }, { value: 'denied', label: '拒绝' }]} />
              </Form.Item>
              <Form.Item label="关联编号" name="correlationId">
                <Input allowClear style={{ width: 160 }} />
              </Form.Item>
              <Button type="primary" htmlType="submit">
                检索
              </Button>
            </Form>
          </Card>
        </Col>
      </Row>
      <Card
        title="审计记录（按时间倒序）"
        extra={
          <Space>
            <Button icon={<DownloadOutlined />} onClick={() => download(withQuery('/api/audit/traces/export', { ...filters, format: 'csv' }), '审计记录.csv')}>
              导出 CSV
            </Button>
            <Button icon={<DownloadOutlined />} onClick={() => download(withQuery('/api/audit/traces/export', { ...filters, format: 'xlsx' }), '审计记录.xlsx')}>
              导出 Excel
            </Button>
          </Space>
        }
      >
        {first.error ? <ProblemAlert error={first.error} onRetry={first.reload} /> : null}
        {v && !v.ok && <Alert type="error" showIcon title={`审计日志校验失败：自第 ${v.firstBadSeq} 条起记录不一致`} style={{ marginBottom: 12 }} />}
        <Table<Trace>
          rowKey="seq"
          size="small"
          loading={first.loading}
          dataSource={pages}
          data-testid="traces"
          locale={{ emptyText: '没有符合条件的审计记录' }}
          pagination={false}
          expandable={{
            expandedRowRender: (r) => (
              <div>
                <Space style={{ marginBottom: 8 }}>
                  {r.refs?.datasetId && <Link to={`/audit/chain?datasetId=${encodeURIComponent(String(r.refs.datasetId))}`}>该数据集的链条</Link>}
                  {r.refs?.datasetId && <Link to={`/audit/timeline?datasetId=${encodeURIComponent(String(r.refs.datasetId))}`}>该数据集的时间线</Link>}
                  {r.actor?.id && <Link to={`/audit/timeline?actorId=${encodeURIComponent(r.actor.id)}`}>该操作者的时间线</Link>}
                </Space>
                <pre style={{ margin: 0, maxHeight: 300, overflow: 'auto', fontSize: 12 }}>{JSON.stringify({ refs: r.refs, fields: r.fields, payload: r.payload }, null, 2)}</pre>
              </div>
            ),
          }}
          columns={[
            { title: '序号', dataIndex: 'seq', width: 70 },
            { title: '时间', dataIndex: 'occurredAt', width: 170, render: (t: string) => new Date(t).toLocaleString('zh-CN') },
            { title: '服务', dataIndex: 'producer', width: 70, render: (p: string) => <Tag>{SERVICE[p] ?? p}</Tag> },
            { title: '事件', dataIndex: 'eventName' },
            {
              title: '操作者',
              render: (_: unknown, r) => {
                if (r.actor?.name) return r.actor.name;
                const app = r.refs?.appId;
                if (app || r.actor?.type === 'app') return `应用 ${String(app ?? r.actor?.id ?? '').slice(0, 8)}`;
                if (r.actor?.type === 'anonymous' || r.actor?.ip) return `匿名访问${r.actor?.ip ? ` · ${r.actor.ip}` : ''}`;
                return r.actor ? '系统' : '公众（未登录）';
              },
            },
            { title: '对象', render: (_: unknown, r) => (r.object ? `${r.object.type} · ${r.object.id.slice(0, 8)}` : '—') },
            {
              title: '结果',
              width: 140,
              render: (_: unknown, r) =>
                r.outcome ? (
                  <Space size={2}>
                    <Tag color={r.outcome === 'allowed' ? 'success' : 'error'}>{r.outcome === 'allowed' ? '允许' : '拒绝'}</Tag>
                    {r.rowCount != null && <span>{r.rowCount} 行</span>}
                    {r.personalData && <Tag color="orange">个人信息</Tag>}
                  </Space>
                ) : (
                  '—'
                ),
            },
          ]}
        />
        {more.error ? <ProblemAlert error={more.error} /> : null}
        {cursor != null && (
          <div style={{ textAlign: 'center', marginTop: 12 }}>
            <Button onClick={loadMore} loading={more.loading}>
              加载更多
            </Button>
          </div>
        )}
      </Card>
    </div>
  );
}
