import { DownloadOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Input, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useAuth } from '../../api/auth';
import { api, download } from '../../api/client';
import type { EntryStatus, SearchHit, SearchResult } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useAsync } from '../../components/useAsync';
import { DATA_DOMAINS, ENTRY_STATUS, SHARE_TYPES, OPEN_TYPES, UPDATE_CYCLES, label } from '../../standard';

const STATUSES: EntryStatus[] = ['draft', 'returned', 'submitted', 'published', 'retired'];

/** 我的目录: the department's entries by status, paged on the server. */
export default function CatalogListPage() {
  const { user, hasRole } = useAuth();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') as EntryStatus) || 'draft';
  const page = Number(params.get('page') ?? 1);
  const pageSize = Number(params.get('pageSize') ?? 20);
  const q = params.get('q') ?? '';
  // The bureau catalogs on behalf of departments: it sees every department's entries.
  const deptId = hasRole('data_admin') ? undefined : user?.deptId;

  const set = (patch: Record<string, string | number | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) v === undefined || v === '' ? next.delete(k) : next.set(k, String(v));
    setParams(next);
  };

  const list = useAsync(
    (signal) => api<SearchResult>('/api/catalog/entries', { signal, query: { deptId, status, q, page, pageSize, sort: q ? 'relevance' : 'updated' } }),
    [deptId, status, q, page, pageSize],
  );
  const counts = useAsync(
    (signal) =>
      Promise.all(STATUSES.map((s) => api<SearchResult>('/api/catalog/entries', { signal, query: { deptId, status: s, pageSize: 1 } }).then((r) => r.total))).then((totals) =>
        Object.fromEntries(STATUSES.map((s, i) => [s, totals[i]])),
      ),
    [deptId, list.data],
  );

  const columns = useMemo(
    () => [
      {
        title: '信息资源名称',
        dataIndex: 'name',
        render: (name: string, h: SearchHit) => (
          <Space direction="vertical" size={0}>
            <Link to={`/workbench/catalog/${h.entryId}`}>{name || '（未命名）'}</Link>
            <Typography.Text type="secondary" ellipsis style={{ maxWidth: 420, fontSize: 12 }}>
              {h.abstract}
            </Typography.Text>
          </Space>
        ),
      },
      { title: '资源代码', dataIndex: 'resourceCode', width: 140, render: (c: string | null) => c ?? <Typography.Text type="secondary">审核通过后生成</Typography.Text> },
      ...(deptId ? [] : [{ title: '提供部门', dataIndex: 'deptName', width: 180 }]),
      { title: '领域', dataIndex: 'domainCode', width: 100, render: (c: string) => label(DATA_DOMAINS, c) },
      { title: '共享', dataIndex: 'shareType', width: 110, render: (c: string) => label(SHARE_TYPES, c) },
      { title: '开放', dataIndex: 'openType', width: 110, render: (c: string) => label(OPEN_TYPES, c) },
      { title: '更新周期', dataIndex: 'updateCycle', width: 90, render: (c: string) => label(UPDATE_CYCLES, c) },
      { title: '版本', dataIndex: 'version', width: 70, render: (v: number) => `v${v}` },
      {
        title: '状态',
        dataIndex: 'status',
        width: 90,
        render: (s: EntryStatus) => <Tag color={ENTRY_STATUS[s]?.color}>{ENTRY_STATUS[s]?.label ?? s}</Tag>,
      },
    ],
    [deptId],
  );

  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <h1 className="page-title" style={{ margin: 0 }}>
          我的目录{user && !hasRole('data_admin') ? ` · ${user.deptName}` : ' · 全部部门'}
        </h1>
        <Space wrap>
          <Button icon={<DownloadOutlined />} onClick={() => download('/api/catalog/exports/catalog?format=xlsx', '目录.xlsx')}>
            导出目录
          </Button>
          {hasRole('dept_operator', 'data_admin') && (
            <>
              <Button icon={<UploadOutlined />} onClick={() => navigate('/workbench/import')}>
                导入目录确认表
              </Button>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate('/workbench/catalog/new')}>
                新建目录
              </Button>
            </>
          )}
        </Space>
      </Space>
      <Card>
        <Tabs
          activeKey={status}
          onChange={(k) => set({ status: k, page: undefined })}
          items={STATUSES.map((s) => ({
            key: s,
            label: (
              <Space size={4}>
                {ENTRY_STATUS[s].label}
                <Badge count={counts.data?.[s] ?? 0} showZero color={s === 'returned' ? '#faad14' : '#d9d9d9'} style={{ color: s === 'returned' ? '#fff' : '#555' }} />
              </Space>
            ),
          }))}
        />
        <Input.Search
          placeholder="按名称、摘要、信息项检索"
          defaultValue={q}
          allowClear
          onSearch={(v) => set({ q: v, page: undefined })}
          style={{ maxWidth: 360, marginBottom: 12 }}
          aria-label="检索我的目录"
        />
        {list.error ? <ProblemAlert error={list.error} title="加载失败" onRetry={list.reload} /> : null}
        <Table<SearchHit>
          rowKey="entryId"
          loading={list.loading}
          dataSource={list.data?.hits ?? []}
          columns={columns}
          locale={{ emptyText: status === 'draft' ? '暂无草稿：可新建目录或导入目录确认表' : '暂无记录' }}
          pagination={{
            current: page,
            pageSize,
            total: list.data?.total ?? 0,
            showSizeChanger: true,
            showTotal: (t) => `共 ${t} 条`,
            onChange: (p, s) => set({ page: p, pageSize: s }),
          }}
          onRow={(h) => ({ onDoubleClick: () => navigate(`/workbench/catalog/${h.entryId}`) })}
        />
      </Card>
    </div>
  );
}
