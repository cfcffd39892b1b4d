import { Alert, Card, Space, Tag, Typography } from 'antd';
import { api } from '../../api/client';
import { AggregationRefusal, ListPage, SECURITY_API } from '../../api/security';
import { useAsync } from '../../components/useAsync';
import { useDepartments } from '../bureau/useDepartments';
import { DATE_FIELDS, ExportButton, FilterBar, fmtTime, PagedTable, useListParams } from './SecurityList';

const KEYS = ['deptId', 'from', 'to'] as const;

const combination = (s: string) =>
  s ? (
    <Space size={2} wrap>
      {s.split(' + ').map((c) => (
        <Tag key={c}>{c}</Tag>
      ))}
    </Space>
  ) : (
    '—'
  );

/** 聚合风险拒绝: approvals refused because the granted items would leave groups smaller than k. */
export default function AggregationRefusalsPage() {
  const departments = useDepartments();
  const { page, pageSize, filters, set } = useListParams(KEYS);
  const list = useAsync(
    (signal) => api<ListPage<AggregationRefusal>>(SECURITY_API.aggregationRefusals, { signal, query: { ...filters, page, pageSize } }),
    [JSON.stringify(filters), page, pageSize],
  );
  return (
    <div>
      <h1 className="page-title">聚合风险拒绝</h1>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title="共享审批时检查准标识符（出生日期、性别、邮编等）组合后的最小分组；低于 k 的审批被拒绝，申请仍待审，可按更窄的信息项重新审批。"
      />
      <Card>
        <FilterBar
          name="aggregationFilters"
          values={filters}
          fields={[{ name: 'deptId', label: '申请部门', kind: 'dept' }, ...DATE_FIELDS]}
          onApply={(v) => set({ ...v, page: undefined })}
          extra={<ExportButton path={SECURITY_API.aggregationRefusals} filters={filters} fileName="聚合风险拒绝.csv" />}
        />
        <PagedTable<AggregationRefusal>
          label="聚合风险拒绝记录"
          data-testid="aggregation-refusals"
          rowKey="id"
          list={list}
          page={page}
          pageSize={pageSize}
          onPage={(p, s) => set({ page: p, pageSize: s })}
          empty="没有聚合风险拒绝记录"
          columns={[
            { title: '时间', dataIndex: 'createdAt', width: 170, render: fmtTime },
            { title: '目录', dataIndex: 'entryName', render: (n: string | null, r) => n ?? <Typography.Text code>{r.entryId.slice(0, 8)}</Typography.Text> },
            { title: '申请部门', dataIndex: 'consumerDeptId', width: 150, render: (d: string | null) => departments.name(d) },
            { title: '申请的信息项', dataIndex: 'columns', render: combination },
            { title: '风险组合', dataIndex: 'offending', render: combination },
            { title: '最小分组 k', width: 110, render: (_: unknown, r) => <Typography.Text type="danger">{`${r.k} < ${r.requiredK}`}</Typography.Text> },
            { title: '风险记录数', dataIndex: 'rowsAtRisk', width: 100 },
          ]}
        />
      </Card>
    </div>
  );
}
