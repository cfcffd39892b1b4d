import { App, Button, Card, Checkbox, Form, Input, InputNumber, Modal, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useAuth } from '../../api/auth';
import { api } from '../../api/client';
import { DueTag } from '../../components/DueTag';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useWorkingDayCountdown } from '../../components/workingDays';
import { useSubmit } from '../../components/useSubmit';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { useDepartments } from '../bureau/useDepartments';

interface ShareEntry {
  entryId: string;
  deptId: string;
  deptName: string;
  resourceCode: string;
  name: string;
  shareType: 'UNCONDITIONAL' | 'CONDITIONAL' | 'NOT_SHARED';
  shareCondition: string | null;
  shareBasis: string | null;
  items: { name: string; dataType?: string; personal?: boolean }[];
}

interface ShareRequest {
  id: string;
  requesterDeptId: string;
  providerDeptId: string;
  entryId: string;
  shareType: string;
  items: string[];
  purpose: string;
  legalBasis: string;
  scenario: string;
  periodFrom: string;
  periodTo: string;
  deliveryMethod: string;
  systemName: string;
  status: 'pending' | 'approved' | 'refused' | 'withdrawn';
  submittedAt: string;
  dueDate: string | null;
  escalatedAt: string | null;
  decision: string | null;
  refusalGround: string | null;
  refusalText: string | null;
  grantId: string | null;
}

interface RefusalGround {
  code: string;
  label: string;
  basis: string;
}

const SHARE = { UNCONDITIONAL: { label: '无条件共享', color: 'green' }, CONDITIONAL: { label: '有条件共享', color: 'orange' }, NOT_SHARED: { label: '不予共享', color: 'default' } } as const;
const STATUS = { pending: { label: '待答复', color: 'processing' }, approved: { label: '已同意', color: 'success' }, refused: { label: '已拒绝', color: 'error' }, withdrawn: { label: '已撤回', color: 'default' } } as const;
const DELIVERY = [
  { value: 'interface', label: '接口调用' },
  { value: 'download', label: '文件下载' },
  { value: 'push', label: '数据库推送' },
  { value: 'handover', label: '离线交换' },
];


/** 共享申请: find entries and ask for their items; answer requests to the department within the working-day limit. */
export default function SharingPage() {
  const { hasRole } = useAuth();
  const canAnswer = hasRole('dept_reviewer', 'data_admin');
  return (
    <div>
      <h1 className="page-title">数据共享</h1>
      <Card>
        <Tabs
          defaultActiveKey={canAnswer ? 'incoming' : 'find'}
          items={[
            { key: 'find', label: '申请数据', children: <FindEntries /> },
            { key: 'mine', label: '我的申请', children: <Requests side="requester" /> },
            { key: 'incoming', label: '收到的申请', children: <Requests side="provider" canAnswer={canAnswer} /> },
            ...(hasRole('data_admin') ? [{ key: 'escalated', label: '超期督办', children: <Requests escalated canAnswer /> }] : []),
          ]}
        />
      </Card>
    </div>
  );
}

function FindEntries() {
  const { user } = useAuth();
  // Searched, filtered (other departments' entries) and paged on the server; ?q=&page=&pageSize= in the URL.
  const paging = usePageParams('', 10);
  const q = paging.params.get('q') ?? '';
  const [target, setTarget] = useState<ShareEntry>();
  const list = useAsync(
    (signal) => api<Paged<ShareEntry>>('/api/sharing/entries', { signal, query: { q: q || undefined, excludeDeptId: user?.deptId, ...paging.query } }),
    [q, user?.deptId, paging.page, paging.pageSize],
  );
  return (
    <>
      <Input.Search placeholder="按名称检索可共享的目录" allowClear defaultValue={q} onSearch={(v) => paging.setFilter({ q: v.trim() || undefined })} style={{ maxWidth: 360, marginBottom: 12 }} aria-label="检索共享目录" />
      {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
      <Table<ShareEntry>
        rowKey="entryId"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: '没有符合条件的目录' }}
        pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
        columns={[
          { title: '信息资源', render: (_: unknown, e) => <Space direction="vertical" size={0}><span>{e.name}</span><Typography.Text type="secondary">{e.resourceCode}</Typography.Text></Space> },
          { title: '提供部门', dataIndex: 'deptName', width: 200 },
          { title: '共享类型', width: 120, render: (_: unknown, e) => <Tag color={SHARE[e.shareType]?.color}>{SHARE[e.shareType]?.label ?? e.shareType}</Tag> },
          { title: '共享条件 / 依据', render: (_: unknown, e) => e.shareCondition ?? e.shareBasis ?? '—' },
          { title: '信息项', width: 80, render: (_: unknown, e) => e.items.length },
          { title: '', width: 90, render: (_: unknown, e) => <Button size="small" disabled={e.shareType === 'NOT_SHARED'} onClick={() => setTarget(e)}>申请</Button> },
        ]}
      />
      {target && <RequestModal entry={target} onClose={() => setTarget(undefined)} />}
    </>
  );
}

function RequestModal({ entry, onClose }: { entry: ShareEntry; onClose: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const { busy, error, run } = useSubmit();
  const submit = async () => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    await run(async () => {
      const { items, ...rest } = v;
      const r = await api<{ requests: ShareRequest[] }>('/api/sharing/requests', { body: { entries: [{ entryId: entry.entryId, items }], ...rest } });
      const s = r.requests[0]?.status;
      message.success(s === 'approved' ? '无条件共享：已自动授权' : `已提交，提供部门将在 ${r.requests[0]?.dueDate ?? '规定时限'} 前答复`);
      onClose();
    });
  };
  const year = new Date().getFullYear();
  return (
    <Modal open title={`申请：${entry.name}`} onCancel={onClose} onOk={submit} okText="提交申请" confirmLoading={busy} width={640}>
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} layout="vertical" initialValues={{ items: entry.items.map((i) => i.name), deliveryMethod: 'interface', periodFrom: `${year}-12-01`, periodTo: `${year + 1}-11-30` }}>
        <Form.Item label="申请的信息项" name="items" rules={[{ required: true, message: '至少选择一个信息项' }]}>
          <Checkbox.Group options={entry.items.map((i) => ({ value: i.name, label: `${i.name}${i.personal ? '（个人信息）' : ''}` }))} />
        </Form.Item>
        <Form.Item label="用途" name="purpose" rules={[{ required: true, min: 4, message: '请说明用途（至少 4 个字）' }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Form.Item label="履职依据" name="legalBasis" rules={[{ required: true, min: 4, message: '请填写法律法规或三定方案依据' }]}>
          <Input placeholder="如《社会保险法》第五十七条" />
        </Form.Item>
        <Space wrap>
          <Form.Item label="应用场景" name="scenario" rules={[{ required: true, min: 2, message: '请填写应用场景' }]}>
            <Input />
          </Form.Item>
          <Form.Item label="使用系统" name="systemName" rules={[{ required: true, min: 2, message: '请填写使用数据的信息系统' }]}>
            <Input />
          </Form.Item>
          <Form.Item label="交付方式" name="deliveryMethod">
            <Select options={DELIVERY} style={{ width: 140 }} />
          </Form.Item>
        </Space>
        <Space>
          <Form.Item label="使用期限起" name="periodFrom" rules={[{ required: true }]}>
            <Input type="date" />
          </Form.Item>
          <Form.Item label="使用期限止" name="periodTo" rules={[{ required: true }]}>
            <Input type="date" />
          </Form.Item>
        </Space>
      </Form>
    </Modal>
  );
}

function Requests({ side, escalated, canAnswer }: { side?: 'requester' | 'provider'; escalated?: boolean; canAnswer?: boolean }) {
  const depts = useDepartments();
  // Paged on the server; each tab keeps its page in the URL (?rpage= mine, ?ipage= incoming, ?epage= escalated).
  const paging = usePageParams(escalated ? 'e' : side === 'provider' ? 'i' : 'r', 10);
  const list = useAsync(
    (signal) => api<Paged<ShareRequest>>('/api/sharing/requests', { signal, query: { side, escalated: escalated ? 'true' : undefined, ...paging.query } }),
    [side, escalated, paging.page, paging.pageSize],
  );
  const [answering, setAnswering] = useState<ShareRequest>();
  const countdown = useWorkingDayCountdown();
  return (
    <>
      {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
      <Table<ShareRequest>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        locale={{ emptyText: side === 'provider' ? '没有收到的申请' : escalated ? '没有超期督办的申请' : '还没有提交申请' }}
        pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
        expandable={{
          expandedRowRender: (r) => (
            <div>
              <div>用途：{r.purpose}</div>
              <div>履职依据：{r.legalBasis}</div>
              <div>
                场景：{r.scenario} · 系统：{r.systemName} · 期限：{r.periodFrom} 至 {r.periodTo}
              </div>
              {r.refusalText && <div>拒绝理由：{r.refusalText}</div>}
            </div>
          ),
        }}
        columns={[
          { title: side === 'provider' ? '申请部门' : '提供部门', render: (_: unknown, r) => depts.name(side === 'provider' ? r.requesterDeptId : r.providerDeptId) },
          { title: '信息项', render: (_: unknown, r) => r.items.join('、') },
          { title: '交付', width: 90, render: (_: unknown, r) => DELIVERY.find((d) => d.value === r.deliveryMethod)?.label ?? r.deliveryMethod },
          { title: '提交', width: 110, render: (_: unknown, r) => r.submittedAt.slice(0, 10) },
          {
            title: '答复期限',
            width: 220,
            render: (_: unknown, r) => (r.status !== 'pending' || !r.dueDate ? '—' : <DueTag due={r.dueDate} countdown={countdown} />),
          },
          { title: '状态', width: 110, render: (_: unknown, r) => <Space size={2}><Tag color={STATUS[r.status]?.color}>{STATUS[r.status]?.label ?? r.status}</Tag>{r.escalatedAt && <Tag color="red">督办</Tag>}</Space> },
          ...(canAnswer ? [{ title: '', width: 80, render: (_: unknown, r: ShareRequest) => r.status === 'pending' && <Button size="small" type="primary" onClick={() => setAnswering(r)}>答复</Button> }] : []),
        ]}
      />
      {answering && (
        <AnswerModal
          request={answering}
          onClose={(done) => {
            setAnswering(undefined);
            if (done) list.reload();
          }}
        />
      )}
    </>
  );
}

function AnswerModal({ request, onClose }: { request: ShareRequest; onClose: (done: boolean) => void }) {
  const { message } = App.useApp();
  const [mode, setMode] = useState<'approve' | 'refuse'>('approve');
  const [form] = Form.useForm();
  const { busy, error, run } = useSubmit();
  const grounds = useAsync((signal) => api<RefusalGround[]>('/api/sharing/refusal-grounds', { signal }), []);
  const submit = async () => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    await run(async () => {
      const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined && x !== ''));
      await api(`/api/sharing/requests/${request.id}/${mode}`, { body });
      message.success(mode === 'approve' ? '已同意，授权已生成' : '已拒绝');
      onClose(true);
    });
  };
  return (
    <Modal open title="答复共享申请" onCancel={() => onClose(false)} onOk={submit} okText={mode === 'approve' ? '同意' : '拒绝'} okButtonProps={{ danger: mode === 'refuse' }} confirmLoading={busy} width={600}>
      {error ? <ProblemAlert error={error} /> : null}
      <Typography.Paragraph type="secondary">只能同意或缩小范围（信息项、期限、频次），不得增设共享条件；拒绝须引用法定事由并说明理由。</Typography.Paragraph>
      <Select value={mode} onChange={setMode} options={[{ value: 'approve', label: '同意（可缩小范围）' }, { value: 'refuse', label: '拒绝' }]} style={{ width: 220, marginBottom: 16 }} aria-label="答复方式" />
      <Form form={form} layout="vertical" initialValues={{ items: request.items }} key={mode}>
        {mode === 'approve' ? (
          <>
            <Form.Item label="同意的信息项" name="items" rules={[{ required: true, message: '至少同意一个信息项' }]}>
              <Checkbox.Group options={request.items} />
            </Form.Item>
            <Space>
              <Form.Item label="使用期限止（可缩短）" name="validTo">
                <Input type="date" max={request.periodTo} />
              </Form.Item>
              <Form.Item label="每分钟请求上限" name="rateLimitPerMinute">
                <InputNumber min={1} />
              </Form.Item>
            </Space>
            <Form.Item label="意见" name="comment">
              <Input.TextArea rows={2} />
            </Form.Item>
          </>
        ) : (
          <>
            <Form.Item label="法定事由" name="groundCode" rules={[{ required: true, message: '请选择法定事由' }]}>
              <Select loading={grounds.loading} options={(grounds.data ?? []).map((g) => ({ value: g.code, label: `${g.label}（${g.basis}）` }))} />
            </Form.Item>
            <Form.Item label="理由" name="text" rules={[{ required: true, min: 4, message: '请说明理由' }]}>
              <Input.TextArea rows={3} />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}
