import { normalizeUscc, validateUscc } from '@standard/identifiers';
import { Alert, App, Button, Card, Checkbox, Descriptions, Form, Input, Modal, Select, Table, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api } from '../../api/client';
import { APPLICATION_STATUS, ConditionalApplication, DevSession, devApi, OPEN } from '../../api/developer';
import type { OpenSearchResult } from '../../api/open';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useSubmit } from '../../components/useSubmit';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';

/** 统一社会信用代码 checked in the browser with the platform's own GB 32100 validator (check digit included). */
export function usccRule() {
  return {
    validator: async (_: unknown, value?: string) => {
      if (!value) throw new Error('请填写统一社会信用代码');
      const r = validateUscc(normalizeUscc(value));
      if (!r.valid) throw new Error(r.reason);
    },
  };
}

/** 有条件开放: apply for a conditionally open dataset for one of the developer's apps, and follow the state. */
export function ConditionalApplications({ session, apps }: { session: DevSession; apps: { id: string; name: string }[] }) {
  const [params, setParams] = useSearchParams();
  const preset = params.get('apply') ?? undefined;
  const [open, setOpen] = useState(!!preset);
  useEffect(() => setOpen(!!preset), [preset]);
  // Paged on the server (?capage=), the dataset's name comes with each application.
  const paging = usePageParams('ca', 10);
  const mine = useAsync((signal) => devApi<Paged<ConditionalApplication>>(session, `${OPEN}/applications/mine`, { signal, query: paging.query }), [session.accessToken, paging.page, paging.pageSize]);
  const close = (done: boolean) => {
    setOpen(false);
    if (preset) setParams({}, { replace: true });
    if (done) (paging.page === 1 ? mine.reload() : paging.setPage(1));
  };
  return (
    <Card title="有条件开放申请" extra={<Button onClick={() => setOpen(true)} disabled={!apps.length}>申请数据</Button>} data-testid="conditional-applications">
      {!apps.length && <Alert type="info" showIcon title="申请以应用为单位：请先创建一个应用。" style={{ marginBottom: 12 }} />}
      {mine.error ? <ProblemAlert error={mine.error} onRetry={mine.reload} /> : null}
      <Table<ConditionalApplication>
        rowKey="id"
        size="small"
        loading={mine.loading}
        dataSource={mine.data?.items ?? []}
        locale={{ emptyText: '还没有申请。有条件开放的数据集须说明用途、场景并作出安全承诺，经提供部门审核后使用。' }}
        pagination={paging.pagination(mine.data?.total)}
        expandable={{
          expandedRowRender: (a) => (
            <Descriptions size="small" column={1}>
              <Descriptions.Item label="申请单位">
                {a.organisation}（{a.creditCode}）
              </Descriptions.Item>
              <Descriptions.Item label="用途">{a.purpose}</Descriptions.Item>
              <Descriptions.Item label="应用场景">{a.scenario}</Descriptions.Item>
              <Descriptions.Item label="安全承诺">{a.commitments}</Descriptions.Item>
              {a.terms && <Descriptions.Item label="使用条款">{a.terms}</Descriptions.Item>}
              {a.reasons && <Descriptions.Item label="未批准理由">{a.reasons}</Descriptions.Item>}
            </Descriptions>
          ),
        }}
        columns={[
          { title: '数据集', render: (_: unknown, a) => a.datasetName ?? `数据集 ${a.datasetId.slice(0, 8)}` },
          { title: '应用', width: 140, render: (_: unknown, a) => apps.find((x) => x.id === a.appId)?.name ?? '—' },
          { title: '提交', width: 110, render: (_: unknown, a) => a.createdAt.slice(0, 10) },
          {
            title: '状态',
            width: 220,
            render: (_: unknown, a) => (
              <span data-testid="application-status">
                <Tag color={APPLICATION_STATUS[a.status].color}>{APPLICATION_STATUS[a.status].label}</Tag>
                {a.status === 'pending' && <Typography.Text type={a.overdue ? 'danger' : 'secondary'}>{a.overdue ? '答复已超期' : `${a.dueOn} 前答复`}</Typography.Text>}
                {a.status === 'approved' && a.endDate && <Typography.Text type="secondary">有效至 {a.endDate}</Typography.Text>}
              </span>
            ),
          },
        ]}
      />
      {open && <ApplyModal session={session} apps={apps} preset={preset} onClose={close} />}
    </Card>
  );
}

function ApplyModal({ session, apps, preset, onClose }: { session: DevSession; apps: { id: string; name: string }[]; preset?: string; onClose: (done: boolean) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [q, setQ] = useState('');
  const { busy, error, run } = useSubmit();
  const found = useAsync((signal) => api<OpenSearchResult>(`${OPEN}/datasets`, { signal, anonymous: true, query: { openType: 'CONDITIONAL', q, pageSize: 20 } }), [q]);
  const presetDs = useAsync((signal) => (preset ? api<{ id: string; name: string }>(`${OPEN}/datasets/${preset}`, { signal, anonymous: true }) : Promise.resolve(undefined)), [preset]);
  const options = useMemo(() => {
    const list = (found.data?.items ?? []).map((d) => ({ value: d.id, label: `${d.name}（${d.department.name}）` }));
    if (presetDs.data && !list.some((o) => o.value === presetDs.data!.id)) list.unshift({ value: presetDs.data.id, label: presetDs.data.name });
    return list;
  }, [found.data, presetDs.data]);
  // Apps may arrive after the dialog opened (from a dataset page's 申请使用): choose the first one.
  useEffect(() => {
    if (apps.length && !form.getFieldValue('appId')) form.setFieldValue('appId', apps[0].id);
  }, [apps, form]);
  const submit = async () => {
    const fields = await form.validateFields().catch(() => undefined);
    if (!fields) return;
    const { accept: _accept, ...v } = fields;
    await run(async () => {
      const r = await devApi<ConditionalApplication>(session, `${OPEN}/applications`, { body: { ...v, creditCode: normalizeUscc(v.creditCode) } });
      message.success(`申请已提交，提供部门将在 ${r.dueOn} 前答复`);
      onClose(true);
    });
  };
  return (
    <Modal open title="申请有条件开放数据" onCancel={() => onClose(false)} onOk={submit} okText="提交申请" confirmLoading={busy} width={680} destroyOnHidden>
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} name="conditionalApply" layout="vertical" initialValues={{ datasetId: preset, appId: apps[0]?.id }} aria-label="有条件开放申请">
        <Form.Item label="数据集" name="datasetId" rules={[{ required: true, message: '请选择有条件开放的数据集' }]}>
          <Select showSearch filterOption={false} onSearch={setQ} loading={found.loading} options={options} placeholder="输入名称检索有条件开放的数据集" notFoundContent={found.loading ? '检索中…' : '没有匹配的数据集'} />
        </Form.Item>
        <Form.Item label="使用数据的应用" name="appId" rules={[{ required: true, message: '请选择应用' }]}>
          <Select options={apps.map((a) => ({ value: a.id, label: a.name }))} />
        </Form.Item>
        <Form.Item label="申请单位" name="organisation" rules={[{ required: true, min: 2, max: 200, message: '请填写申请单位全称' }]}>
          <Input />
        </Form.Item>
        <Form.Item label="统一社会信用代码" name="creditCode" required rules={[usccRule()]} validateDebounce={300} extra="18 位，按 GB 32100 校验">
          <Input maxLength={18} style={{ textTransform: 'uppercase' }} autoComplete="off" />
        </Form.Item>
        <Form.Item label="用途" name="purpose" rules={[{ required: true, min: 5, max: 2000, message: '请说明用途（至少 5 个字）' }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item label="应用场景" name="scenario" rules={[{ required: true, min: 5, max: 2000, message: '请描述应用场景（至少 5 个字）' }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item
          label="安全承诺"
          name="commitments"
          initialValue="承诺仅在申请用途和场景内使用数据，不尝试重新识别个人，不向第三方转让或公开，使用期满后按要求销毁。"
          rules={[{ required: true, min: 10, max: 4000, message: '请填写安全承诺（至少 10 个字）' }]}
        >
          <Input.TextArea rows={3} />
        </Form.Item>
        <Form.Item name="accept" valuePropName="checked" rules={[{ validator: async (_, v) => { if (!v) throw new Error('请确认遵守上述承诺'); } }]}>
          <Checkbox>我已阅读并承诺遵守数据使用条款与上述安全承诺</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
