import { DownloadOutlined } from '@ant-design/icons';
import { App, Button, Empty, Form, Input, Select, Space, Table } from 'antd';
import type { TableProps } from 'antd';
import { ReactNode, useState } from 'react';
import { useSearchParams } from 'react-router';
import { ApiError, download, withQuery } from '../../api/client';
import type { ListPage } from '../../api/security';
import { ProblemAlert } from '../../components/ProblemAlert';
import type { AsyncState } from '../../components/useAsync';
import { useDepartments } from '../bureau/useDepartments';

export type Filters = Record<string, string | undefined>;

/** The list's page, page size and filters live in the address (shareable, back button works). */
export function useListParams(keys: readonly string[], prefix = '') {
  const [params, setParams] = useSearchParams();
  const num = (k: string, d: number) => {
    const n = Number(params.get(prefix + k));
    return Number.isInteger(n) && n > 0 ? n : d;
  };
  const filters: Filters = Object.fromEntries(keys.map((k) => [k, params.get(prefix + k) || undefined]));
  const set = (patch: Record<string, string | number | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) (v === undefined || v === '' ? next.delete(prefix + k) : next.set(prefix + k, String(v)));
    setParams(next);
  };
  return { page: num('page', 1), pageSize: Math.min(num('pageSize', 20), 100), filters, set, params };
}

export interface FilterField {
  name: string;
  label: string;
  kind: 'dept' | 'select' | 'date' | 'text';
  options?: { value: string; label: string }[];
  placeholder?: string;
}

export const DATE_FIELDS: FilterField[] = [
  { name: 'from', label: '起始日期', kind: 'date' },
  { name: 'to', label: '截止日期', kind: 'date' },
];

/** Filter form: every control has a visible label; 查询 applies, 重置 clears (both go back to page 1). */
export function FilterBar({ name, fields, values, onApply, extra }: { name: string; fields: FilterField[]; values: Filters; onApply: (v: Filters) => void; extra?: ReactNode }) {
  const [form] = Form.useForm();
  const departments = useDepartments();
  const clear = Object.fromEntries(fields.map((f) => [f.name, undefined]));
  return (
    <Form
      form={form}
      name={name}
      layout="inline"
      initialValues={values}
      onFinish={(v: Filters) => onApply({ ...clear, ...Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x || undefined])) })}
      aria-label="筛选条件"
      style={{ rowGap: 8, marginBottom: 12 }}
    >
      {fields.map((f) => (
        <Form.Item key={f.name} label={f.label} name={f.name}>
          {f.kind === 'dept' ? (
            <Select
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              placeholder="全部部门"
              style={{ width: 200 }}
              options={departments.list.map((d) => ({ value: d.id, label: d.name }))}
            />
          ) : f.kind === 'select' ? (
            <Select allowClear placeholder={f.placeholder ?? '全部'} style={{ width: 180 }} options={f.options} />
          ) : f.kind === 'date' ? (
            <Input type="date" style={{ width: 150 }} />
          ) : (
            <Input allowClear placeholder={f.placeholder} style={{ width: 200 }} />
          )}
        </Form.Item>
      ))}
      <Space wrap>
        <Button type="primary" htmlType="submit">
          查询
        </Button>
        <Button
          onClick={() => {
            form.setFieldsValue(clear);
            onApply(clear);
          }}
        >
          重置
        </Button>
        {extra}
      </Space>
    </Form>
  );
}

/** 导出 CSV: the same filters, every matching row (the server's export, not just this page). */
export function ExportButton({ path, filters, fileName }: { path: string; filters: Filters; fileName: string }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      icon={<DownloadOutlined />}
      loading={busy}
      onClick={async () => {
        setBusy(true);
        try {
          const name = await download(withQuery(path, { ...filters, format: 'csv' }), fileName);
          message.success(`已导出 ${name}`);
        } catch (e) {
          message.error(`导出失败：${e instanceof ApiError ? e.message : (e as Error).message}`);
        } finally {
          setBusy(false);
        }
      }}
    >
      导出 CSV
    </Button>
  );
}

/** A server-paged table with its loading, empty and error states. */
export function PagedTable<T extends object>({
  list,
  page,
  pageSize,
  onPage,
  empty,
  label,
  ...table
}: {
  list: AsyncState<ListPage<T>>;
  page: number;
  pageSize: number;
  onPage: (page: number, pageSize: number) => void;
  empty: string;
  label: string;
} & Omit<TableProps<T>, 'dataSource' | 'pagination' | 'loading'>) {
  return (
    <section aria-label={label} aria-busy={list.loading}>
      {list.error ? <ProblemAlert error={list.error} title="加载失败" onRetry={list.reload} /> : null}
      <Table<T>
        size="small"
        {...table}
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: list.error ? '未能加载' : <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty} /> }}
        pagination={{
          current: page,
          pageSize,
          total: list.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          showTotal: (t) => `共 ${t} 条`,
          onChange: onPage,
        }}
      />
    </section>
  );
}

export const fmtTime = (t: string | null | undefined) => (t ? new Date(t).toLocaleString('zh-CN', { hour12: false }) : '—');
