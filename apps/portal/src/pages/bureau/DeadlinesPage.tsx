import { Card, Segmented, Table, Tag } from 'antd';
import { api } from '../../api/client';
import type { Deadline } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { useDepartments } from './useDepartments';

const STATUS = { open: { label: '进行中', color: 'processing' }, met: { label: '已完成', color: 'success' }, overdue: { label: '已超期', color: 'error' } } as const;

/** 编目时限 / 逾期清单: obligations counted in working days (holidays and 调休 included). */
export default function DeadlinesPage() {
  const depts = useDepartments();
  // The status (?status=), page and size are in the URL; the server pages, earliest due first.
  const paging = usePageParams('', 20);
  const s = paging.params.get('status');
  const status: 'open' | 'overdue' | 'met' = s === 'open' || s === 'met' ? s : 'overdue';
  const setStatus = (next: typeof status) => paging.setFilter({ status: next === 'overdue' ? undefined : next });
  const list = useAsync((signal) => api<Paged<Deadline>>('/api/catalog/deadlines', { signal, query: { status, ...paging.query } }), [status, paging.page, paging.pageSize]);
  return (
    <div>
      <h1 className="page-title">编目时限与逾期清单</h1>
      <Card>
        <Segmented
          value={status}
          onChange={(v) => setStatus(v as typeof status)}
          options={[
            { value: 'overdue', label: '已超期' },
            { value: 'open', label: '进行中' },
            { value: 'met', label: '已完成' },
          ]}
          style={{ marginBottom: 12 }}
          aria-label="时限状态"
        />
        {list.error ? <ProblemAlert error={list.error} title="加载失败" onRetry={list.reload} /> : null}
        <Table<Deadline>
          rowKey="id"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: status === 'overdue' ? '没有超期事项' : '暂无记录' }}
          pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
          columns={[
            { title: '事项', render: (_: unknown, d) => d.kindLabel },
            { title: '部门', render: (_: unknown, d) => depts.name(d.deptId) },
            { title: '对象', render: (_: unknown, d) => (d.subjectType === 'system' ? '信息系统' : '目录条目') },
            { title: '事由', render: (_: unknown, d) => d.reason ?? '—' },
            { title: '时限', render: (_: unknown, d) => `${d.limitWorkingDays} 个工作日（自 ${d.startedOn.slice(0, 10)}）` },
            { title: '截止日期', render: (_: unknown, d) => d.dueOn.slice(0, 10) },
            {
              title: '剩余工作日',
              render: (_: unknown, d) =>
                d.remainingWorkingDays == null ? '—' : d.remainingWorkingDays < 0 ? <Tag color="error">超期 {-d.remainingWorkingDays} 天</Tag> : `${d.remainingWorkingDays} 天`,
            },
            { title: '状态', render: (_: unknown, d) => <Tag color={STATUS[d.status as keyof typeof STATUS]?.color}>{STATUS[d.status as keyof typeof STATUS]?.label ?? String(d.status)}</Tag> },
          ]}
        />
      </Card>
    </div>
  );
}
