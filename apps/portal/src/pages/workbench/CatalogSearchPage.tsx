import { Card, Col, Empty, Input, List, Row, Select, Space, Tag, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { api } from '../../api/client';
import type { SearchResult } from '../../api/types';
import { Highlight } from '../../components/Highlight';
import { ProblemAlert } from '../../components/ProblemAlert';
import { FacetDef, FacetPanel } from '../../components/FacetPanel';
import { useAsync } from '../../components/useAsync';
import { DATA_DOMAINS, FORMAT_CLASSES, OPEN_TYPES, SHARE_TYPES, UPDATE_CYCLES, label } from '../../standard';

const FACETS: FacetDef[] = [
  { key: 'domain', param: 'domain', title: '数据领域' },
  { key: 'dept', param: 'deptId', title: '提供部门' },
  { key: 'shareType', param: 'shareType', title: '共享类型' },
  { key: 'openType', param: 'openType', title: '开放类型' },
  { key: 'classCode', param: 'classCode', title: '资源分类' },
  { key: 'format', param: 'format', title: '资源格式' },
  { key: 'updateCycle', param: 'updateCycle', title: '更新周期' },
  { key: 'grade', param: 'grade', title: '数据分级' },
];

/** 目录检索: published entries by keyword with facet counts; matches highlighted, matched data items listed. */
export default function CatalogSearchPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const page = Number(params.get('page') ?? 1);
  const sort = params.get('sort') ?? 'relevance';
  const query = Object.fromEntries(FACETS.map((f) => [f.param, params.get(f.param) ?? undefined]));
  const res = useAsync((signal) => api<SearchResult>('/api/catalog/entries', { signal, query: { q, page, pageSize: 10, sort, ...query } }), [params.toString()]);

  const set = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) v ? next.set(k, v) : next.delete(k);
    if (!('page' in patch)) next.delete('page');
    setParams(next);
  };

  return (
    <div>
      <h1 className="page-title">目录检索</h1>
      <Card style={{ marginBottom: 16 }}>
        <Space.Compact style={{ width: '100%', maxWidth: 720 }}>
          <Input.Search size="large" placeholder="输入关键词，如 营业执照、医疗机构" defaultValue={q} enterButton="检索" onSearch={(v) => set({ q: v.trim() || undefined })} aria-label="检索关键词" />
        </Space.Compact>
      </Card>
      <Row gutter={16}>
        <Col xs={24} md={6}>
          <FacetPanel facets={FACETS} buckets={res.data?.facets} selected={params} onChange={set} keepSelected />
        </Col>
        <Col xs={24} md={18}>
          <Card
            size="small"
            title={res.data ? `找到 ${res.data.total} 条目录` : '检索结果'}
            extra={
              <Select
                value={sort}
                onChange={(v) => set({ sort: v })}
                aria-label="排序"
                options={[
                  { value: 'relevance', label: '相关度' },
                  { value: 'published', label: '发布时间' },
                  { value: 'updated', label: '更新时间' },
                  { value: 'name', label: '名称' },
                ]}
                style={{ width: 120 }}
              />
            }
          >
            {res.error ? <ProblemAlert error={res.error} onRetry={res.reload} /> : null}
            <List
              loading={res.loading}
              dataSource={res.data?.hits ?? []}
              locale={{ emptyText: <Empty description={q ? `没有与“${q}”匹配的目录` : '暂无目录'} /> }}
              pagination={res.data && res.data.total > 10 ? { current: page, pageSize: 10, total: res.data.total, onChange: (p) => set({ page: String(p) }), showSizeChanger: false } : false}
              renderItem={(h) => (
                <List.Item>
                  <List.Item.Meta
                    title={
                      <Space wrap>
                        <Link to={`/workbench/catalog/${h.entryId}`}>
                          <Highlight text={h.name} query={q} />
                        </Link>
                        {h.resourceCode && <Tag>{h.resourceCode}</Tag>}
                      </Space>
                    }
                    description={
                      <div>
                        <div>
                          <Highlight text={h.abstract} query={q} />
                        </div>
                        {h.matchedItems.length > 0 && (
                          <div>
                            匹配信息项：
                            {h.matchedItems.map((m) => (
                              <Tag key={m} color="gold">
                                <Highlight text={m} query={q} />
                              </Tag>
                            ))}
                          </div>
                        )}
                        <Space size={4} wrap style={{ marginTop: 4 }}>
                          <Tag color="blue">{h.deptName}</Tag>
                          <Tag>{label(DATA_DOMAINS, h.domainCode)}</Tag>
                          <Tag>{label(SHARE_TYPES, h.shareType)}</Tag>
                          <Tag>{label(OPEN_TYPES, h.openType)}</Tag>
                          <Tag>{label(FORMAT_CLASSES, h.formatClass)}</Tag>
                          <Tag>{label(UPDATE_CYCLES, h.updateCycle)}更新</Tag>
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
