import { ApiOutlined, AuditOutlined, BarChartOutlined, CloudDownloadOutlined, DatabaseOutlined, TeamOutlined } from '@ant-design/icons';
import { Card, Col, Input, List, Row, Statistic, Typography } from 'antd';
import { Link, useNavigate } from 'react-router';
import { api } from '../../api/client';
import type { OpenStatistics } from '../../api/open';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useAsync } from '../../components/useAsync';
import { DATA_DOMAINS } from '../../standard';

/** 开放门户首页: search, headline figures and domains from the open-data service's public statistics. */
export default function HomePage() {
  const navigate = useNavigate();
  const stats = useAsync((signal) => api<OpenStatistics>('/api/open/v1/statistics', { signal, anonymous: true }), []);
  const s = stats.data;
  const figures = [
    { title: '开放数据集', value: s?.datasetsOpen, icon: <DatabaseOutlined /> },
    { title: '数据提供部门', value: s?.departments.filter((d) => d.open > 0).length, icon: <TeamOutlined /> },
    { title: '开放数据量（行）', value: s?.rows, icon: <BarChartOutlined /> },
    { title: '下载次数', value: s?.downloads, icon: <CloudDownloadOutlined /> },
    { title: '接口调用', value: s?.apiCalls, icon: <ApiOutlined /> },
    { title: '目录开放率', value: s ? `${(s.openRate * 100).toFixed(1)}%` : undefined, icon: <BarChartOutlined /> },
  ];
  const domainCount = new Map((s?.domainCoverage.domains ?? []).map((d) => [d.code, d.datasets]));
  return (
    <div>
      <section className="public-hero" aria-labelledby="hero-title">
        <div className="content-narrow">
          <h1 id="hero-title">公共数据 开放共享</h1>
          <Typography.Paragraph style={{ color: 'rgba(255,255,255,.85)', fontSize: 16, maxWidth: 640 }}>
            汇聚示范市各部门依法可开放的公共数据，提供检索、预览、下载与接口服务，支持社会各界开发利用。
          </Typography.Paragraph>
          <Input.Search
            size="large"
            placeholder="搜索数据集，如 营业执照、医疗机构、公交线路"
            enterButton="搜索"
            onSearch={(v) => navigate(`/data${v.trim() ? `?q=${encodeURIComponent(v.trim())}` : ''}`)}
            style={{ maxWidth: 640 }}
            aria-label="搜索开放数据"
          />
        </div>
      </section>
      <div className="content-narrow" style={{ marginTop: -40 }}>
        {stats.error ? <ProblemAlert error={stats.error} title="统计数据暂不可用" onRetry={stats.reload} /> : null}
        <Row gutter={[16, 16]} data-testid="headline-figures">
          {figures.map((f) => (
            <Col xs={12} md={8} lg={4} key={f.title}>
              <Card loading={stats.loading && !s}>
                <Statistic title={f.title} value={f.value ?? '—'} prefix={f.icon} />
              </Card>
            </Col>
          ))}
        </Row>
        <Row gutter={24} style={{ marginTop: 24 }}>
          <Col xs={24} lg={16}>
            <h2>数据领域</h2>
            <Row gutter={[12, 12]}>
              {DATA_DOMAINS.map((d) => (
                <Col xs={12} sm={8} md={6} key={d.code}>
                  <Link to={`/data?domain=${d.code}`} aria-label={`${d.label}，${domainCount.get(d.code) ?? 0} 个数据集`}>
                    <Card hoverable size="small" style={{ textAlign: 'center' }}>
                      <div>{d.label}</div>
                      <Typography.Text type="secondary">{domainCount.get(d.code) ?? 0} 个数据集</Typography.Text>
                    </Card>
                  </Link>
                </Col>
              ))}
            </Row>
          </Col>
          <Col xs={24} lg={8}>
            <h2>热门数据</h2>
            <Card size="small">
              <List
                dataSource={s?.topDatasets ?? []}
                loading={stats.loading && !s}
                locale={{ emptyText: '暂无开放数据' }}
                renderItem={(d, i) => (
                  <List.Item extra={<Typography.Text type="secondary">{d.downloads} 次下载</Typography.Text>}>
                    <List.Item.Meta title={<Link to={`/data/${d.id}`}>{`${i + 1}. ${d.name}`}</Link>} description={d.department} />
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        </Row>
        <h2 style={{ marginTop: 32 }}>服务入口</h2>
        <Row gutter={16} style={{ marginBottom: 32 }}>
          {[
            { title: '部门工作台', text: '目录编制、目录确认表导入、数据归集与质量报告', to: '/login?next=/workbench/catalog', icon: <DatabaseOutlined /> },
            { title: '数据局控制台', text: '目录审核、一数一源、逾期清单、统计看板', to: '/login?next=/bureau/reviews', icon: <BarChartOutlined /> },
            { title: '审计控制台', text: '访问追溯、事件链路', to: '/login?next=/audit/records', icon: <AuditOutlined /> },
            { title: '开发者中心', text: '接口文档、应用与密钥', to: '/developer', icon: <ApiOutlined /> },
          ].map((c) => (
            <Col xs={24} md={6} key={c.title}>
              <Link to={c.to}>
                <Card hoverable title={<span>{c.icon} {c.title}</span>}>
                  <Typography.Text type="secondary">{c.text}</Typography.Text>
                </Card>
              </Link>
            </Col>
          ))}
        </Row>
      </div>
    </div>
  );
}
