import { DownloadOutlined, StarFilled } from '@ant-design/icons';
import { Card, Col, Empty, Input, List, Row, Select, Space, Tag, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import type { OpenSearchResult } from '../../api/open';
import { Highlight } from '../../components/Highlight';
import { ProblemAlert } from '../../components/ProblemAlert';
import { FacetPanel } from '../../components/FacetPanel';
import { useAsync } from '../../components/useAsync';

const FACETS = [
  { key: 'domain', param: 'domain', title: '数据领域' },
  { key: 'dept', param: 'dept', title: '提供部门' },
  { key: 'openType', param: 'openType', title: '开放类型' },
  { key: 'format', param: 'format', title: '数据格式' },
  { key: 'updateCycle', param: 'updateCycle', title: '更新周期' },
];

/** 开放数据目录: public search with facet counts, highlighted matches and server-side paging. */
export default function OpenDataPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Number(params.get('page') ?? 1);
  const sort = params.get('sort') ?? 'relevance';
  const filters = Object.fromEntries(FACETS.map((f) => [f.param, params.get(f.param) ?? undefined]));
  const res = useAsync((signal) => api<OpenSearchResult>('/api/open/v1/datasets', { signal, anonymous: true, query: { q, page, pageSize: 10, sort, ...filters } }), [params.toString()]);

  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) v ? next.set(k, v) : next.delete(k);
    if (!('page' in patch)) next.delete('page');
    setParams(next);
  };

  return (
    <div className="content-narrow" style={{ paddingBlock: 24 }}>
      <h1 className="page-title">开放数据目录</h1>
      <Input.Search size="large" placeholder="搜索数据集名称、摘要、字段" defaultValue={q} enterButton="搜索" onSearch={(v) => set({ q: v.trim() || undefined })} style={{ maxWidth: 720, marginBottom: 16 }} aria-label="搜索开放数据" />
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <FacetPanel facets={FACETS} buckets={res.data?.facets} selected={params} onChange={set} />
        </Col>
        <Col xs={24} md={18}>
          <Card
            size="small"
            title={res.data ? `共 ${res.data.total} 个数据集` : '检索结果'}
            extra={
              <Select
                value={sort}
                onChange={(v) => set({ sort: v })}
                aria-label="排序"
                style={{ width: 120 }}
                options={[
                  { value: 'relevance', label: '相关度' },
                  { value: 'newest', label: '最新' },
                  { value: 'downloads', label: '下载量' },
                  { value: 'rating', label: '评分' },
                ]}
              />
            }
            data-testid="open-results"
          >
            {res.error ? <ProblemAlert error={res.error} onRetry={res.reload} /> : null}
            <List
              loading={res.loading}
              dataSource={res.data?.items ?? []}
              locale={{ emptyText: <Empty description={q ? `没有与“${q}”匹配的开放数据` : '暂无开放数据'} /> }}
              pagination={res.data && res.data.total > 10 ? { current: page, pageSize: 10, total: res.data.total, onChange: (p) => set({ page: String(p) }), showSizeChanger: false } : false}
              renderItem={(d) => (
                <List.Item
                  extra={
                    <Space direction="vertical" align="end" size={0}>
                      <Typography.Text type="secondary">
                        <DownloadOutlined /> {d.downloads}
                      </Typography.Text>
                      <Typography.Text type="secondary">
                        <StarFilled style={{ color: '#faad14' }} /> {d.rating.count ? d.rating.average.toFixed(1) : '—'}
                      </Typography.Text>
                    </Space>
                  }
                >
                  <List.Item.Meta
                    title={
                      <Link to={`/data/${d.id}`}>
                        <Highlight text={d.name} query={q} />
                      </Link>
                    }
                    description={
                      <div>
                        <div>
                          <Highlight text={d.abstract} query={q} />
                        </div>
                        <Space size={4} wrap style={{ marginTop: 4 }}>
                          <Tag color="blue">{d.department.name}</Tag>
                          {d.domain && <Tag>{d.domain.label}</Tag>}
                          <Tag color={d.openType.code === 'UNCONDITIONAL' ? 'green' : 'orange'}>{d.openType.label}</Tag>
                          {d.updateCycle && <Tag>{d.updateCycle.label}更新</Tag>}
                          {d.hasData ? <Tag>{d.rows} 行</Tag> : <Tag>暂无数据</Tag>}
                        </Space>
                      </div>
                    }
                  />
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
