import { DownloadOutlined } from '@ant-design/icons';
import { Button, Card, Input, Space, Statistic, Row, Col, Table, Typography } from 'antd';
import { useState } from 'react';
import { api, download } from '../../api/client';
import { barOption } from '../../components/chartOptions';
import { LazyChart } from '../../components/LazyChart';
import { PageState } from '../../components/PageState';
import { useAsync } from '../../components/useAsync';

interface Figures {
  newEntries: number;
  openEntries: number;
  openRate: number | null;
  interfaceShare: number | null;
  requestsDecided: number;
  requestsOnTimeRate: number | null;
  timeliness: number | null;
  qualityScore: number | null;
  rectificationOnTimeRate: number | null;
  feedbackAnsweredRate: number | null;
  score: number | null;
}

interface Report {
  period: { label: string; kind: string; start: string; end: string };
  departments: (Figures & { deptId: string; name: string; rank: number | null })[];
  total: Figures;
  weights: Record<string, number>;
  recordsUsed: number;
}

const pct = (x: number | null) => (x == null ? '—' : `${(x * 100).toFixed(1)}%`);
const thisMonth = () => new Date().toISOString().slice(0, 7);

/** 考核评估: figures per department computed from audit records only, weighted score, ranking, XLSX. */
export default function AssessmentPage() {
  const [period, setPeriod] = useState(thisMonth());
  const r = useAsync((signal) => api<Report>('/api/audit/reports/assessment', { signal, query: { period } }), [period]);
  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <h1 className="page-title" style={{ margin: 0 }}>
          考核评估
        </h1>
        <Space>
          <Input.Search defaultValue={period} onSearch={(v) => setPeriod(v.trim())} placeholder="2026-03 / 2026-Q1 / 2026" aria-label="评估期间" style={{ width: 220 }} enterButton="查询" />
          <Button icon={<DownloadOutlined />} onClick={() => download(`/api/audit/reports/assessment.xlsx?period=${encodeURIComponent(period)}`, `考核评估-${period}.xlsx`)}>
            导出 Excel
          </Button>
        </Space>
      </Space>
      <PageState loading={r.loading} error={r.error} data={r.data} onRetry={r.reload}>
        {(d) => {
          const ranked = d.departments.filter((x) => x.score != null).sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99));
          return (
            <div style={{ display: 'grid', gap: 16 }} data-testid="assessment">
              <Row gutter={16}>
                {[
                  { t: '新增目录', v: d.total.newEntries },
                  { t: '开放率', v: pct(d.total.openRate) },
                  { t: '申请按时答复率', v: pct(d.total.requestsOnTimeRate) },
                  { t: '平均质量得分', v: d.total.qualityScore ?? '—' },
                ].map((k) => (
                  <Col xs={12} md={6} key={k.t}>
                    <Card>
                      <Statistic title={k.t} value={k.v} />
                    </Card>
                  </Col>
                ))}
              </Row>
              <Card title={`部门综合得分（${d.period.label}）`} extra={<Typography.Text type="secondary">依据 {d.recordsUsed} 条审计记录</Typography.Text>}>
                {ranked.length ? (
                  <LazyChart label="部门综合得分排名" height={Math.max(200, ranked.length * 30)} option={barOption(ranked.map((x) => x.name.replace(/^示范市/, '')), ranked.map((x) => Math.round((x.score ?? 0) * 10) / 10), { horizontal: true, name: '得分' })} />
                ) : (
                  <Typography.Text type="secondary">本期没有可评分的部门</Typography.Text>
                )}
              </Card>
              <Card title="部门明细">
                <Table
                  size="small"
                  rowKey="deptId"
                  dataSource={d.departments}
                  pagination={{ pageSize: 20, hideOnSinglePage: true }}
                  scroll={{ x: true }}
                  columns={[
                    { title: '排名', dataIndex: 'rank', width: 60, render: (v: number | null) => v ?? '—' },
                    { title: '部门', dataIndex: 'name' },
                    { title: '得分', dataIndex: 'score', render: (v: number | null) => (v == null ? '—' : v.toFixed(1)) },
                    { title: '新增目录', dataIndex: 'newEntries' },
                    { title: '开放率', dataIndex: 'openRate', render: pct },
                    { title: '接口占比', dataIndex: 'interfaceShare', render: pct },
                    { title: '按时答复', dataIndex: 'requestsOnTimeRate', render: pct },
                    { title: '更新及时', dataIndex: 'timeliness', render: pct },
                    { title: '质量', dataIndex: 'qualityScore', render: (v: number | null) => v ?? '—' },
                    { title: '整改按时', dataIndex: 'rectificationOnTimeRate', render: pct },
                    { title: '反馈答复', dataIndex: 'feedbackAnsweredRate', render: pct },
                  ]}
                />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  权重：{Object.entries(d.weights).map(([k, w]) => `${k} ${Math.round(w * 100)}%`).join('，')}
                </Typography.Text>
              </Card>
            </div>
          );
        }}
      </PageState>
    </div>
  );
}
