import { Card, Col, Row, Statistic, Table } from 'antd';
import { api } from '../../api/client';
import type { OpenStatistics } from '../../api/open';
import { barOption, pieOption } from '../../components/chartOptions';
import { LazyChart } from '../../components/LazyChart';
import { PageState } from '../../components/PageState';
import { useAsync } from '../../components/useAsync';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** 开放统计 (public): what is open, by domain and department, and how it is used. */
export default function PublicStatisticsPage() {
  const s = useAsync((signal) => api<OpenStatistics>('/api/open/v1/statistics', { signal, anonymous: true }), []);
  return (
    <div className="content-narrow" style={{ paddingBlock: 24 }}>
      <h1 className="page-title">开放统计</h1>
      <PageState loading={s.loading} error={s.error} data={s.data} onRetry={s.reload}>
        {(d) => {
          const depts = d.departments.filter((x) => x.open > 0).sort((a, b) => b.open - a.open);
          return (
            <div style={{ display: 'grid', gap: 16 }} data-testid="public-statistics">
              <Row gutter={[16, 16]}>
                {[
                  { t: '开放数据集', v: d.datasetsOpen },
                  { t: '有条件开放', v: d.conditionalDatasets },
                  { t: '已有数据的数据集', v: d.datasetsWithData },
                  { t: '开放数据量（行）', v: d.rows },
                  { t: '下载次数', v: d.downloads },
                  { t: '接口调用', v: d.apiCalls },
                  { t: '目录开放率', v: pct(d.openRate) },
                  { t: '领域覆盖', v: `${d.domainCoverage.covered} / ${d.domainCoverage.total}` },
                ].map((k) => (
                  <Col xs={12} md={6} key={k.t}>
                    <Card>
                      <Statistic title={k.t} value={k.v} />
                    </Card>
                  </Col>
                ))}
              </Row>
              <Row gutter={16}>
                <Col xs={24} lg={14}>
                  <Card title="各部门开放数据集">
                    <LazyChart label="各部门开放数据集数量" height={Math.max(200, depts.length * 32)} option={barOption(depts.map((x) => x.name.replace(/^示范市/, '')), depts.map((x) => x.open), { horizontal: true, name: '开放', integer: true })} />
                  </Card>
                </Col>
                <Col xs={24} lg={10}>
                  <Card title="领域分布">
                    <LazyChart label="开放数据集的领域分布" option={pieOption(d.domainCoverage.domains.map((x) => ({ name: x.label, value: x.datasets })))} />
                  </Card>
                </Col>
              </Row>
              <Card title="部门明细">
                <Table
                  size="small"
                  rowKey="id"
                  pagination={{ pageSize: 10, hideOnSinglePage: true }}
                  dataSource={[...d.departments].sort((a, b) => b.open - a.open || b.published - a.published)}
                  columns={[
                    { title: '部门', dataIndex: 'name' },
                    { title: '已发布目录', dataIndex: 'published' },
                    { title: '开放', dataIndex: 'open' },
                    { title: '开放率', dataIndex: 'openRate', render: (r: number) => pct(r) },
                    { title: '下载', dataIndex: 'downloads' },
                    { title: '接口调用', dataIndex: 'apiCalls' },
                  ]}
                />
              </Card>
            </div>
          );
        }}
      </PageState>
    </div>
  );
}
