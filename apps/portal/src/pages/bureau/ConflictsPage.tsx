import { App, Button, Card, Form, Input, Modal, Select, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { useAuth } from '../../api/auth';
import { api } from '../../api/client';
import type { SourceConflict } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { useDepartments } from './useDepartments';

const KINDS: Record<string, { label: string; color: string }> = {
  duplicate_collection: { label: '重复采集', color: 'red' },
  near_duplicate: { label: '疑似重复目录', color: 'orange' },
};

const RESOLUTIONS = [
  { value: 'designate_source', label: '指定数源部门' },
  { value: 'merge', label: '合并（保留一条，另一条下架）' },
  { value: 'justify', label: '认可理由，保留重复采集' },
];

/** 一数一源: items a department collects although another department is their source, and near-duplicate entries. */
export default function ConflictsPage() {
  const { hasRole } = useAuth();
  const depts = useDepartments();
  // The status (?status=), page and size are in the URL; the server pages, newest first, within what the caller may see.
  const paging = usePageParams('', 20);
  const status: 'open' | 'resolved' = paging.params.get('status') === 'resolved' ? 'resolved' : 'open';
  const setStatus = (next: typeof status) => paging.setFilter({ status: next === 'open' ? undefined : next });
  const [resolving, setResolving] = useState<SourceConflict>();
  const list = useAsync((signal) => api<Paged<SourceConflict>>('/api/catalog/conflicts', { signal, query: { status, ...paging.query } }), [status, paging.page, paging.pageSize]);

  return (
    <div>
      <h1 className="page-title">一数一源冲突</h1>
      <Card>
        <Space style={{ marginBottom: 12 }}>
          <Segmented
            value={status}
            onChange={(v) => setStatus(v as 'open' | 'resolved')}
            options={[
              { value: 'open', label: '待处理' },
              { value: 'resolved', label: '已处理' },
            ]}
            aria-label="冲突状态"
          />
        </Space>
        {list.error ? <ProblemAlert error={list.error} title="加载失败" onRetry={list.reload} /> : null}
        <Table<SourceConflict>
          rowKey="id"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: status === 'open' ? '没有待处理的冲突' : '暂无已处理记录' }}
          pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
          columns={[
            { title: '类型', dataIndex: 'kind', width: 120, render: (k: string) => <Tag color={KINDS[k]?.color}>{KINDS[k]?.label ?? k}</Tag> },
            {
              title: '信息项 / 数据元',
              render: (_: unknown, c) => (
                <Space direction="vertical" size={0}>
                  <span>{String(c.detail?.itemName ?? c.detail?.entryName ?? '—')}</span>
                  {c.elementCode && <Typography.Text type="secondary">数据元 {c.elementCode}</Typography.Text>}
                </Space>
              ),
            },
            {
              title: '采集部门',
              render: (_: unknown, c) => (c.entryId ? <Link to={`/workbench/catalog/${c.entryId}`}>{depts.name(c.deptId)}</Link> : depts.name(c.deptId)),
            },
            { title: '数源部门 / 另一方', render: (_: unknown, c) => depts.name(c.otherDeptId) },
            { title: '部门说明', render: (_: unknown, c) => String(c.detail?.justification ?? (c.score != null ? `相似度 ${Math.round(c.score * 100)}%` : '—')) },
            ...(hasRole('data_admin') && status === 'open'
              ? [{ title: '操作', width: 90, render: (_: unknown, c: SourceConflict) => <Button size="small" onClick={() => setResolving(c)}>处理</Button> }]
              : []),
          ]}
        />
      </Card>
      {resolving && (
        <ResolveModal
          conflict={resolving}
          departments={depts.list.map((d) => ({ value: d.id, label: d.name }))}
          onClose={(done) => {
            setResolving(undefined);
            if (done) list.reload();
          }}
        />
      )}
    </div>
  );
}

function ResolveModal({ conflict, departments, onClose }: { conflict: SourceConflict; departments: { value: string; label: string }[]; onClose: (done: boolean) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const resolution = Form.useWatch('resolution', form);
  const submit = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await api(`/api/catalog/conflicts/${conflict.id}/resolve`, { body: v });
      message.success('已处理');
      onClose(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title="处理一数一源冲突" onCancel={() => onClose(false)} onOk={submit} confirmLoading={busy} okText="确认处理">
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} layout="vertical" initialValues={{ resolution: 'designate_source' }}>
        <Form.Item label="处理方式" name="resolution" rules={[{ required: true }]}>
          <Select options={RESOLUTIONS} />
        </Form.Item>
        {resolution === 'designate_source' && (
          <Form.Item label="数源部门" name="sourceDeptId" rules={[{ required: true, message: '请选择数源部门' }]}>
            <Select options={departments} showSearch={{ optionFilterProp: 'label' }} />
          </Form.Item>
        )}
        {resolution === 'merge' && (
          <Form.Item label="保留的目录条目" name="keepEntryId" rules={[{ required: true, message: '请选择保留的条目' }]}>
            <Select
              options={[conflict.entryId, conflict.otherEntryId].filter(Boolean).map((id, i) => ({ value: id!, label: i === 0 ? '采集部门的条目' : '另一方的条目' }))}
            />
          </Form.Item>
        )}
        <Form.Item label="处理说明" name="note" rules={[{ required: true, min: 2, message: '请填写处理说明' }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
