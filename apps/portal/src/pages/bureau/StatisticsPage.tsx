import { Card, Col, Progress, Row, Statistic, Table, Typography } from 'antd';
import { api } from '../../api/client';
import type { CatalogStatistics } from '../../api/types';
import { barOption, pieOption } from '../../components/chartOptions';
import { LazyChart } from '../../components/LazyChart';
import { PageState } from '../../components/PageState';
import { useAsync } from '../../components/useAsync';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** 统计看板: the catalog against the year's goals, by department, domain, class, share and open type. */
export default function StatisticsPage() {
  const s = useAsync((signal) => api<CatalogStatistics>('/api/catalog/statistics', { signal }), []);
  return (
    <div>
      <h1 className="page-title">统计看板</h1>
      <PageState loading={s.loading} error={s.error} data={s.data} onRetry={s.reload}>
        {(d) => <Dashboard s={d} />}
      </PageState>
    </div>
  );
}

function Dashboard({ s }: { s: CatalogStatistics }) {
  const depts = s.byDepartment.filter((d) => d.count > 0).sort((a, b) => b.count - a.count);
  const goals = [
    { key: 'openDatasets', title: '开放数据集', value: `${s.openCount} / ${s.goals.target.openDatasets}`, progress: s.goals.progress.openDatasets },
    { key: 'openRate', title: '开放率', value: `${pct(s.openRate)} / 目标 ${pct(s.goals.target.openRate)}`, progress: s.goals.progress.openRate },
    { key: 'interfaceShare', title: '接口共享占比', value: `${pct(s.interfaceShare)} / 目标 ${pct(s.goals.target.interfaceShare)}`, progress: s.goals.progress.interfaceShare },
  ];
  return (
    <div style={{ display: 'grid', gap: 16 }} data-testid="statistics">
      <Row gutter={16}>
        {[
          { title: '已发布目录', value: s.published },
          { title: '开放目录', value: s.openCount },
          { title: '待审核', value: s.pendingReview },
          { title: '编目超期', value: s.overdue },
        ].map((k) => (
          <Col xs={12} md={6} key={k.title}>
            <Card>
              <Statistic title={k.title} value={k.value} />
            </Card>
          </Col>
        ))}
      </Row>
      <Card title="年度目标进度">
        <Row gutter={24}>
          {goals.map((g) => (
            <Col xs={24} md={8} key={g.key}>
              <Typography.Text strong>{g.title}</Typography.Text>
              <Progress percent={Math.min(100, Math.round(g.progress * 100))} status={g.progress >= 1 ? 'success' : 'active'} aria-label={`${g.title}完成度`} />
              <Typography.Text type="secondary">{g.value}</Typography.Text>
            </Col>
          ))}
        </Row>
      </Card>
      <Row gutter={16}>
        <Col xs={24} lg={12}>
          <Card title="各领域目录数">
            <LazyChart label="各领域目录数柱状图" option={barOption(s.byDomain.map((d) => d.label), s.byDomain.map((d) => d.count), { name: '目录数', integer: true })} />
          </Card>
        </Col>
        <Col xs={24} lg={6}>
          <Card title="共享类型">
            <LazyChart label="共享类型分布" option={pieOption(s.byShareType.map((b) => ({ name: b.label, value: b.count })))} />
          </Card>
        </Col>
        <Col xs={24} lg={6}>
          <Card title="开放类型">
            <LazyChart label="开放类型分布" option={pieOption(s.byOpenType.map((b) => ({ name: b.label, value: b.count })))} />
          </Card>
        </Col>
      </Row>
      <Card title="部门排名">
        <Row gutter={16}>
          <Col xs={24} lg={12}>
            <LazyChart
              label="各部门已发布目录数"
              height={Math.max(220, depts.length * 32)}
              option={barOption(depts.map((d) => d.label.replace(/^示范市/, '')), depts.map((d) => d.count), { horizontal: true, name: '已发布', integer: true })}
            />
          </Col>
          <Col xs={24} lg={12}>
            <Table
              size="small"
              rowKey="key"
              pagination={{ pageSize: 10, hideOnSinglePage: true }}
              dataSource={s.byDepartment.map((d, i) => ({ ...d, rank: i + 1 })).sort((a, b) => b.count - a.count || b.open - a.open)}
              columns={[
                { title: '部门', dataIndex: 'label' },
                { title: '已发布', dataIndex: 'count', width: 80, sorter: (a, b) => a.count - b.count },
                { title: '开放', dataIndex: 'open', width: 70, sorter: (a, b) => a.open - b.open },
                { title: '开放率', width: 80, render: (_: unknown, d) => (d.count ? pct(d.open / d.count) : '—') },
                { title: '超期', dataIndex: 'overdue', width: 70, render: (n: number) => (n ? <Typography.Text type="danger">{n}</Typography.Text> : 0) },
              ]}
            />
          </Col>
        </Row>
      </Card>
      <Card title="信息资源分类">
        <LazyChart label="按类和项的目录数" option={barOption(s.byClass.map((c) => c.label), s.byClass.map((c) => c.count), { color: '#13a8a8', name: '目录数', integer: true })} />
      </Card>
    </div>
  );
}
