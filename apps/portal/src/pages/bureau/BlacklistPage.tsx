import { App, Button, Card, Form, Input, Popconfirm, Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';

interface Entry {
  id: string;
  kind: 'key' | 'app' | 'ip';
  value: string;
  reason: string;
  createdAt?: string;
  [k: string]: unknown;
}

const KIND = { key: '密钥前缀', app: '应用', ip: 'IP 地址' } as const;

/** 开放接口黑名单: keys, apps or addresses refused by the open API. */
export default function BlacklistPage() {
  const { message } = App.useApp();
  // Paged on the server, newest first; the page and size are in the URL.
  const paging = usePageParams('', 20);
  const list = useAsync((signal) => api<Paged<Entry>>('/api/open/v1/admin/blacklist', { signal, query: paging.query }), [paging.page, paging.pageSize]);
  const [error, setError] = useState<unknown>();
  const [form] = Form.useForm();
  const run = async (fn: () => Promise<unknown>, done: string) => {
    setError(undefined);
    try {
      await fn();
      message.success(done);
      list.reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };
  return (
    <div>
      <h1 className="page-title">开放接口黑名单</h1>
      <Card title="列入黑名单" style={{ marginBottom: 16 }}>
        <Form form={form} layout="inline" onFinish={async (v) => (await run(() => api('/api/open/v1/admin/blacklist', { body: v }), '已列入')) && form.resetFields()} initialValues={{ kind: 'key' }} aria-label="列入黑名单">
          <Form.Item label="类型" name="kind">
            <Select style={{ width: 120 }} options={Object.entries(KIND).map(([value, label]) => ({ value, label }))} />
          </Form.Item>
          <Form.Item label="值" name="value" rules={[{ required: true, message: '请输入' }]}>
            <Input style={{ width: 220 }} />
          </Form.Item>
          <Form.Item label="理由" name="reason" rules={[{ required: true, min: 2, message: '请填写理由' }]}>
            <Input style={{ width: 280 }} />
          </Form.Item>
          <Button type="primary" danger htmlType="submit">
            列入
          </Button>
        </Form>
      </Card>
      <Card>
        {list.error || error ? <ProblemAlert error={list.error ?? error} onRetry={list.reload} /> : null}
        <Table<Entry>
          rowKey="id"
          size="small"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          locale={{ emptyText: '黑名单为空' }}
          pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
          columns={[
            { title: '类型', dataIndex: 'kind', width: 100, render: (k: Entry['kind']) => <Tag>{KIND[k] ?? k}</Tag> },
            { title: '值', dataIndex: 'value' },
            { title: '理由', dataIndex: 'reason' },
            { title: '时间', dataIndex: 'createdAt', width: 170, render: (t?: string) => (t ? new Date(t).toLocaleString('zh-CN') : '—') },
            {
              title: '',
              width: 80,
              render: (_: unknown, e) => (
                <Popconfirm title="移出黑名单？" onConfirm={() => run(() => api(`/api/open/v1/admin/blacklist/${e.id}`, { method: 'DELETE' }), '已移出')}>
                  <a>移出</a>
                </Popconfirm>
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}
