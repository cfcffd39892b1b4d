import { Alert, Card, Tabs, Tag, Tooltip, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { JOB_STATUS, ListPage, OpenSandboxJob, REFUSAL_CODES, SandboxRefusal, SECURITY_API } from '../../api/security';
import { useAsync } from '../../components/useAsync';
import { useDepartments } from '../bureau/useDepartments';
import { DATE_FIELDS, ExportButton, FilterBar, FilterField, fmtTime, PagedTable, useListParams } from './SecurityList';

const KEYS = ['deptId', 'status', 'code', 'from', 'to'] as const;

const STATUS_OPTIONS = [
  { value: 'refused', label: '已拒绝' },
  { value: 'failed', label: '已终止（超时、出错）' },
];

const FIELDS = (deptLabel: string): FilterField[] => [
  { name: 'deptId', label: deptLabel, kind: 'dept' },
  { name: 'status', label: '状态', kind: 'select', options: STATUS_OPTIONS, placeholder: '已拒绝和已终止' },
  { name: 'code', label: '拒绝代码', kind: 'select', options: Object.entries(REFUSAL_CODES).map(([value, label]) => ({ value, label: `${label}（${value}）` })), placeholder: '全部' },
  ...DATE_FIELDS,
];

export function JobStatusTag({ status }: { status: string }) {
  return <Tag color={JOB_STATUS[status]?.color}>{JOB_STATUS[status]?.label ?? status}</Tag>;
}

export function ReasonCell({ code, reason }: { code: string | null; reason: string | null }) {
  if (!code) return <>—</>;
  return (
    <Tooltip title={reason}>
      <span>
        {REFUSAL_CODES[code] ?? code} <Typography.Text code>{code}</Typography.Text>
      </span>
    </Tooltip>
  );
}

const SqlBlock = ({ sql, reason }: { sql: string; reason: string | null }) => (
  <div>
    {reason && <Alert type="warning" title={reason} style={{ marginBottom: 8 }} />}
    <pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }} aria-label="提交的 SQL">
      {sql}
    </pre>
  </div>
);

/** 沙箱拒绝: sandbox jobs refused or stopped — departments' (sharing) and developers' (open data). */
export default function SandboxRefusalsPage() {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'open' ? 'open' : 'sharing';
  return (
    <div>
      <h1 className="page-title">沙箱拒绝</h1>
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(k) => setParams(k === 'open' ? { tab: 'open' } : {})}
          destroyOnHidden
          items={[
            { key: 'sharing', label: '部门共享沙箱', children: <SharingRefusals /> },
            { key: 'open', label: '开发者沙箱（有条件开放）', children: <OpenRefusals /> },
          ]}
        />
      </Card>
    </div>
  );
}

function SharingRefusals() {
  const departments = useDepartments();
  const { page, pageSize, filters, set } = useListParams(KEYS);
  const list = useAsync(
    (signal) => api<ListPage<SandboxRefusal>>(SECURITY_API.sandboxRefusals, { signal, query: { ...filters, page, pageSize } }),
    [JSON.stringify(filters), page, pageSize],
  );
  return (
    <>
      <FilterBar
        name="sandboxFilters"
        values={filters}
        fields={FIELDS('使用部门')}
        onApply={(v) => set({ ...v, page: undefined })}
        extra={<ExportButton path={SECURITY_API.sandboxRefusals} filters={filters} fileName="沙箱拒绝.csv" />}
      />
      <PagedTable<SandboxRefusal>
        label="部门共享沙箱被拒绝和终止的作业"
        data-testid="sandbox-refusals"
        rowKey="id"
        list={list}
        page={page}
        pageSize={pageSize}
        onPage={(p, s) => set({ page: p, pageSize: s })}
        empty="没有被拒绝或终止的沙箱作业"
        expandable={{ expandedRowRender: (j) => <SqlBlock sql={j.sql} reason={j.reason} /> }}
        columns={[
          { title: '时间', dataIndex: 'createdAt', width: 170, render: fmtTime },
          { title: '使用部门', dataIndex: 'consumerDeptId', render: (d: string) => departments.name(d) },
          {
            title: '用户',
            dataIndex: 'userId',
            width: 110,
            render: (u: string) => (
              <Tooltip title={u}>
                <Typography.Text code>{u.length > 12 ? `${u.slice(0, 8)}…` : u}</Typography.Text>
              </Tooltip>
            ),
          },
          { title: '运营主体', dataIndex: 'operatorId', width: 100, render: (o: string | null) => (o ? <Tag color="purple">授权运营</Tag> : '—') },
          { title: '状态', dataIndex: 'status', width: 90, render: (s: string) => <JobStatusTag status={s} /> },
          { title: '原因', render: (_: unknown, j) => <ReasonCell code={j.reasonCode} reason={j.reason} /> },
        ]}
      />
    </>
  );
}

function OpenRefusals() {
  const departments = useDepartments();
  const { page, pageSize, filters, set } = useListParams(KEYS);
  const list = useAsync(
    (signal) => api<ListPage<OpenSandboxJob>>(SECURITY_API.openSandboxJobs, { signal, query: { ...filters, page, pageSize } }),
    [JSON.stringify(filters), page, pageSize],
  );
  return (
    <>
      <FilterBar
        name="openSandboxFilters"
        values={filters}
        fields={FIELDS('提供部门').filter((f) => f.name !== 'deptId')}
        onApply={(v) => set({ ...v, page: undefined })}
        extra={<ExportButton path={SECURITY_API.openSandboxJobs} filters={filters} fileName="开发者沙箱作业.csv" />}
      />
      <PagedTable<OpenSandboxJob>
        label="开发者沙箱被拒绝和终止的作业"
        data-testid="open-sandbox-refusals"
        rowKey="id"
        list={list}
        page={page}
        pageSize={pageSize}
        onPage={(p, s) => set({ page: p, pageSize: s })}
        empty="没有被拒绝或终止的开发者沙箱作业"
        expandable={{ expandedRowRender: (j) => <SqlBlock sql={j.sql} reason={j.reason} /> }}
        columns={[
          { title: '时间', dataIndex: 'createdAt', width: 170, render: fmtTime },
          { title: '提供部门', dataIndex: 'deptId', render: (d: string | null) => departments.name(d) },
          { title: '开发者', dataIndex: 'developerId', width: 110, render: (d: string) => <Typography.Text code>{d.slice(0, 8)}</Typography.Text> },
          { title: '状态', dataIndex: 'status', width: 90, render: (s: string) => <JobStatusTag status={s} /> },
          { title: '原因', render: (_: unknown, j) => <ReasonCell code={j.reasonCode} reason={j.reason} /> },
          { title: '耗时', dataIndex: 'durationMs', width: 90, render: (ms: number) => `${ms} ms` },
        ]}
      />
    </>
  );
}
