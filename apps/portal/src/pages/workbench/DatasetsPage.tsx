import { Card, Input, Space, Table, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api } from '../../api/client';
import type { DatasetView } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { FORMAT_CLASSES, UPDATE_CYCLES, label } from '../../standard';

/** 数据归集: one dataset per published catalog entry of the department. */
export default function DatasetsPage() {
  // The filter (?q=), page and size are in the URL; the server filters and pages within what the caller may see.
  const paging = usePageParams('', 20);
  const q = paging.params.get('q') ?? '';
  const list = useAsync((signal) => api<Paged<DatasetView>>('/api/ingest/datasets', { signal, query: { q: q || undefined, ...paging.query } }), [q, paging.page, paging.pageSize]);
  return (
    <div>
      <h1 className="page-title">数据归集</h1>
      <Card>
        <Typography.Paragraph type="secondary">每条已发布的目录对应一个数据集。上传文件（CSV、XLSX、JSON）后，平台按目录信息项校验并生成新版本和质量报告。</Typography.Paragraph>
        <Input.Search key={q} placeholder="按名称或资源代码筛选" allowClear defaultValue={q} onSearch={(v) => paging.setFilter({ q: v.trim() })} onChange={(e) => !e.target.value && q && paging.setFilter({ q: undefined })} style={{ maxWidth: 320, marginBottom: 12 }} aria-label="筛选数据集" />
        {list.error ? <ProblemAlert error={list.error} title="加载失败" onRetry={list.reload} /> : null}
        <Table<DatasetView>
          rowKey="id"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: q ? `没有名称或资源代码含“${q}”的数据集` : '暂无数据集：目录审核通过后自动生成' }}
          pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
          columns={[
            { title: '数据集', dataIndex: 'name', render: (n: string, d) => <Link to={`/workbench/datasets/${d.id}`}>{n}</Link> },
            { title: '资源代码', dataIndex: 'resourceCode', width: 140 },
            { title: '格式', dataIndex: 'formatClass', width: 100, render: (c: string) => label(FORMAT_CLASSES, c) },
            { title: '更新周期', dataIndex: 'updateCycle', width: 90, render: (c: string) => label(UPDATE_CYCLES, c) },
            { title: '信息项', width: 70, render: (_: unknown, d) => d.items.length },
            { title: '当前版本', dataIndex: 'currentVersion', width: 90, render: (v: number | null) => (v ? `v${v}` : <Typography.Text type="secondary">未归集</Typography.Text>) },
            { title: '最近更新', dataIndex: 'lastVersionAt', width: 170, render: (t: string | null) => (t ? new Date(t).toLocaleString('zh-CN') : '—') },
            {
              title: '状态',
              width: 100,
              render: (_: unknown, d) => (
                <Space>
                  {d.retired && <Tag>已下架</Tag>}
                  {d.overdueSince ? <Tag color="error">更新超期</Tag> : d.currentVersion ? <Tag color="success">正常</Tag> : <Tag color="warning">待归集</Tag>}
                </Space>
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}
