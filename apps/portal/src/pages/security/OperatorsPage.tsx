import { Card, Descriptions, Form, Input, Progress, Space, Tag, Typography } from 'antd';
import { api } from '../../api/client';
import { ListPage, Operator, OPERATOR_STATUS, OperatorUsage, SECURITY_API } from '../../api/security';
import { PageState } from '../../components/PageState';
import { useAsync } from '../../components/useAsync';
import { useDepartments } from '../bureau/useDepartments';
import { FilterBar, PagedTable, useListParams } from './SecurityList';

const KEYS = ['status'] as const;

const thisMonth = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);

/** 授权运营: operators and their monthly use (sandbox jobs, rows computed over, against the quotas). */
export default function OperatorsPage() {
  const departments = useDepartments();
  const { page, pageSize, filters, set, params } = useListParams(KEYS);
  const month = /^\d{4}-\d{2}$/.test(params.get('month') ?? '') ? params.get('month')! : thisMonth();
  const list = useAsync((signal) => api<ListPage<Operator>>(SECURITY_API.operators, { signal, query: { ...filters, page, pageSize } }), [JSON.stringify(filters), page, pageSize]);
  return (
    <div>
      <h1 className="page-title">授权运营</h1>
      <Card>
        <Space wrap align="start">
          <FilterBar
            name="operatorFilters"
            values={filters}
            fields={[{ name: 'status', label: '状态', kind: 'select', options: Object.entries(OPERATOR_STATUS).map(([value, s]) => ({ value, label: s.label })) }]}
            onApply={(v) => set({ ...v, page: undefined })}
          />
          <Form layout="inline" aria-label="使用报告月份">
            <Form.Item label="报告月份" htmlFor="usage-month">
              <Input id="usage-month" type="month" value={month} onChange={(e) => set({ month: e.target.value || undefined })} style={{ width: 160 }} />
            </Form.Item>
          </Form>
        </Space>
        <PagedTable<Operator>
          label="授权运营主体"
          data-testid="operators"
          rowKey="id"
          list={list}
          page={page}
          pageSize={pageSize}
          onPage={(p, s) => set({ page: p, pageSize: s })}
          empty="尚未登记授权运营主体"
          expandable={{ expandedRowRender: (o) => <Usage operator={o} month={month} /> }}
          columns={[
            { title: '运营主体', dataIndex: 'name' },
            { title: '统一社会信用代码', dataIndex: 'creditCode', width: 190, render: (c: string) => <Typography.Text code>{c}</Typography.Text> },
            { title: '部门账号', dataIndex: 'deptId', width: 150, render: (d: string) => departments.name(d) },
            { title: '合同期限', width: 200, render: (_: unknown, o) => `${o.contractFrom} 至 ${o.contractTo}` },
            { title: '应用场景', dataIndex: 'scenarios', render: (s: string[]) => s.map((x) => <Tag key={x}>{x}</Tag>) },
            { title: '目录数', dataIndex: 'entryIds', width: 80, render: (e: string[]) => e.length },
            { title: '状态', dataIndex: 'status', width: 90, render: (s: Operator['status']) => <Tag color={OPERATOR_STATUS[s]?.color}>{OPERATOR_STATUS[s]?.label ?? s}</Tag> },
          ]}
        />
      </Card>
    </div>
  );
}

function Usage({ operator, month }: { operator: Operator; month: string }) {
  const u = useAsync((signal) => api<OperatorUsage>(SECURITY_API.operatorUsage(operator.id), { signal, query: { month } }), [operator.id, month]);
  const share = (used: number, quota: number | null) => (quota ? <Progress percent={Math.min(100, Math.round((used / quota) * 100))} size="small" style={{ width: 160 }} format={() => `${used} / ${quota}`} /> : `${used}（不限）`);
  return (
    <PageState loading={u.loading} error={u.error} data={u.data} onRetry={u.reload}>
      {(d) => (
        <Descriptions size="small" column={{ xs: 1, md: 3 }} title={`${d.month} 使用报告`} data-testid="operator-usage">
          <Descriptions.Item label="放行的沙箱作业">{share(d.sandboxJobs.released, d.monthlyJobQuota)}</Descriptions.Item>
          <Descriptions.Item label="被拒绝 / 终止">{`${d.sandboxJobs.refused} / ${d.sandboxJobs.failed}`}</Descriptions.Item>
          <Descriptions.Item label="计算涉及的源记录">{share(d.sourceRows, d.monthlyRowQuota)}</Descriptions.Item>
          <Descriptions.Item label="输出结果行数">{d.resultRows}</Descriptions.Item>
          <Descriptions.Item label="授权运营的共享授权">{d.grants}</Descriptions.Item>
          <Descriptions.Item label="经授权交付的行数（累计）">{d.grantRowsDelivered}</Descriptions.Item>
        </Descriptions>
      )}
    </PageState>
  );
}
