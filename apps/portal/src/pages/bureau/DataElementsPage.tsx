import { App, Button, Card, Form, Input, Modal, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useAuth } from '../../api/auth';
import { api } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { useDepartments } from './useDepartments';

interface DataElement {
  code: string;
  name: string;
  aliases: string[];
  description: string | null;
  sourceDeptId: string | null;
  sourceEntryId: string | null;
  updatedAt: string;
}

/** 数据元注册: each element and its 数源部门 (一数一源); the bureau registers elements and designates sources. */
export default function DataElementsPage() {
  const { hasRole } = useAuth();
  const depts = useDepartments();
  // The filter (?q=), page and size are in the URL; the server filters (code, name, alias) and pages by code.
  const paging = usePageParams('', 20);
  const q = paging.params.get('q') ?? '';
  const list = useAsync((signal) => api<Paged<DataElement>>('/api/catalog/data-elements', { signal, query: { q: q || undefined, ...paging.query } }), [q, paging.page, paging.pageSize]);
  const [editing, setEditing] = useState<Partial<DataElement>>();
  return (
    <div>
      <h1 className="page-title">数据元与数源部门</h1>
      <Card
        extra={
          hasRole('data_admin') && (
            <Button type="primary" onClick={() => setEditing({})}>
              登记数据元
            </Button>
          )
        }
        title={<Input.Search key={q} placeholder="按名称、代码、别名筛选" allowClear defaultValue={q} onSearch={(v) => paging.setFilter({ q: v.trim() })} onChange={(e) => !e.target.value && q && paging.setFilter({ q: undefined })} style={{ width: 300 }} aria-label="筛选数据元" />}
      >
        {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
        <Table<DataElement>
          rowKey="code"
          size="small"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: q ? `没有匹配“${q}”的数据元` : '暂无数据元' }}
          pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
          columns={[
            { title: '代码', dataIndex: 'code', render: (c: string) => <Typography.Text code>{c}</Typography.Text> },
            { title: '名称', dataIndex: 'name' },
            { title: '别名', dataIndex: 'aliases', render: (a: string[]) => a.map((x) => <Tag key={x}>{x}</Tag>) },
            { title: '数源部门', dataIndex: 'sourceDeptId', render: (d: string | null) => (d ? depts.name(d) : <Typography.Text type="warning">未指定</Typography.Text>) },
            { title: '说明', dataIndex: 'description', render: (d: string | null) => d ?? '—' },
            ...(hasRole('data_admin') ? [{ title: '', width: 80, render: (_: unknown, e: DataElement) => <Button size="small" onClick={() => setEditing(e)}>编辑</Button> }] : []),
          ]}
        />
      </Card>
      {editing && (
        <ElementModal
          element={editing}
          departments={depts.list.map((d) => ({ value: d.id, label: d.name }))}
          onClose={(done) => {
            setEditing(undefined);
            if (done) list.reload();
          }}
        />
      )}
    </div>
  );
}

function ElementModal({ element, departments, onClose }: { element: Partial<DataElement>; departments: { value: string; label: string }[]; onClose: (done: boolean) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [error, setError] = useState<unknown>();
  const save = async () => {
    const { code, ...v } = await form.validateFields();
    try {
      await api(`/api/catalog/data-elements/${encodeURIComponent(code)}`, { method: 'PUT', body: { ...v, sourceDeptId: v.sourceDeptId ?? null, description: v.description || undefined } });
      message.success('已保存');
      onClose(true);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Modal open title={element.code ? `编辑数据元 ${element.code}` : '登记数据元'} onCancel={() => onClose(false)} onOk={save} okText="保存">
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} layout="vertical" initialValues={{ code: element.code, name: element.name, aliases: element.aliases ?? [], description: element.description, sourceDeptId: element.sourceDeptId ?? undefined }}>
        <Form.Item label="代码" name="code" rules={[{ required: true, pattern: /^[A-Z0-9_]{2,64}$/, message: '2–64 位大写字母、数字或下划线' }]}>
          <Input disabled={!!element.code} placeholder="如 UNIFIED_SOCIAL_CREDIT_CODE" />
        </Form.Item>
        <Form.Item label="名称" name="name" rules={[{ required: true, message: '请输入名称' }]}>
          <Input />
        </Form.Item>
        <Form.Item label="别名" name="aliases">
          <Select mode="tags" tokenSeparators={[',', '，']} placeholder="输入后回车" />
        </Form.Item>
        <Form.Item label="数源部门" name="sourceDeptId">
          <Select options={departments} allowClear showSearch={{ optionFilterProp: 'label' }} />
        </Form.Item>
        <Form.Item label="说明" name="description">
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
