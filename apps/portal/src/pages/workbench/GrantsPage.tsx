import { CopyOutlined, DownloadOutlined, KeyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Drawer, Empty, Form, Input, InputNumber, Modal, Popconfirm, Segmented, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useAuth } from '../../api/auth';
import { api } from '../../api/client';
import { DueTag } from '../../components/DueTag';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useSubmit } from '../../components/useSubmit';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { useWorkingDayCountdown } from '../../components/workingDays';
import { useDepartments } from '../bureau/useDepartments';
import { DELIVERY_LABEL, FEEDBACK_KINDS, FEEDBACK_STATUS, Grant, GRANT_STATUS, GrantCredential, IssuedCredential, PushTarget, RotatedCredential, ShareFeedback } from './sharingTypes';

const S = '/api/sharing';

/** The entry's name as the list answered it (joined on the server), else a short id. */
const entryName = (x: { entryId: string; entryName?: string | null }) => x.entryName ?? `目录 ${x.entryId.slice(0, 8)}`;

/** 共享授权: the department's grants (as user and as provider), credentials shown once, downloads, database push, feedback. */
export default function GrantsPage() {
  const { hasRole } = useAuth();
  return (
    <div>
      <h1 className="page-title">共享授权</h1>
      <Card>
        <Tabs
          defaultActiveKey={hasRole('dept_operator') ? 'consumer' : 'provider'}
          items={[
            { key: 'consumer', label: '我使用的授权', children: <Grants side="consumer" /> },
            { key: 'provider', label: '我提供的授权', children: <Grants side="provider" /> },
            { key: 'feedback', label: '纠错反馈', children: <FeedbackList /> },
          ]}
        />
      </Card>
    </div>
  );
}

function Grants({ side }: { side: 'consumer' | 'provider' }) {
  const depts = useDepartments();
  // Filtered and paged on the server; each tab keeps its state and page in the URL (?cstatus=&cpage=… / ?pstatus=&ppage=…).
  const prefix = side === 'consumer' ? 'c' : 'p';
  const paging = usePageParams(prefix, 10);
  const status = paging.params.get(`${prefix}status`) ?? 'active';
  const list = useAsync((signal) => api<Paged<Grant>>(`${S}/grants`, { signal, query: { side, status: status === 'all' ? undefined : status, ...paging.query } }), [side, status, paging.page, paging.pageSize]);
  const [open, setOpen] = useState<Grant>();
  return (
    <>
      <Segmented
        aria-label="授权状态"
        value={status}
        onChange={(v) => paging.setFilter({ [`${prefix}status`]: v === 'active' ? undefined : String(v) })}
        options={[{ value: 'active', label: '有效' }, { value: 'suspended', label: '已暂停' }, { value: 'revoked', label: '已撤销' }, { value: 'expired', label: '已到期' }, { value: 'all', label: '全部' }]}
        style={{ marginBottom: 12 }}
      />
      {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
      <Table<Grant>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        data-testid={`grants-${side}`}
        locale={{ emptyText: side === 'consumer' ? '没有使用中的授权：在“共享申请”中申请数据，获批后出现在这里' : '没有提供给其他部门的授权' }}
        pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
        columns={[
          { title: '信息资源', render: (_: unknown, g) => entryName(g) },
          { title: side === 'consumer' ? '提供部门' : '使用部门', render: (_: unknown, g) => depts.name(side === 'consumer' ? g.providerDeptId : g.consumerDeptId) },
          { title: '信息项', render: (_: unknown, g) => <Typography.Text ellipsis={{ tooltip: g.items.join('、') }} style={{ maxWidth: 220 }}>{g.items.join('、')}</Typography.Text> },
          { title: '交付', width: 100, render: (_: unknown, g) => DELIVERY_LABEL[g.deliveryMethod] ?? g.deliveryMethod },
          { title: '有效期', width: 200, render: (_: unknown, g) => `${g.validFrom} 至 ${g.validTo}` },
          { title: '已交付行数', width: 110, render: (_: unknown, g) => `${g.rowsDelivered}${g.quotaRows ? ` / ${g.quotaRows}` : ''}` },
          { title: '状态', width: 90, render: (_: unknown, g) => <Tag color={GRANT_STATUS[g.status]?.color}>{GRANT_STATUS[g.status]?.label ?? g.status}</Tag> },
          { title: '', width: 80, render: (_: unknown, g) => <Button size="small" onClick={() => setOpen(g)} aria-label={`管理授权：${entryName(g)}`}>管理</Button> },
        ]}
      />
      <Drawer open={!!open} onClose={() => setOpen(undefined)} size={720} title={open ? `授权：${entryName(open)}` : ''} destroyOnHidden>
        {open && <GrantDetail grant={open} side={side} onChanged={list.reload} />}
      </Drawer>
    </>
  );
}

function GrantDetail({ grant, side, onChanged }: { grant: Grant; side: 'consumer' | 'provider'; onChanged: () => void }) {
  const { hasRole } = useAuth();
  const depts = useDepartments();
  const consumerOp = side === 'consumer' && hasRole('dept_operator');
  return (
    <div style={{ display: 'grid', gap: 16 }}>
      <Descriptions size="small" column={2} bordered>
        <Descriptions.Item label="使用部门">{depts.name(grant.consumerDeptId)}</Descriptions.Item>
        <Descriptions.Item label="提供部门">{depts.name(grant.providerDeptId)}</Descriptions.Item>
        <Descriptions.Item label="使用系统">{grant.systemName}</Descriptions.Item>
        <Descriptions.Item label="交付方式">{DELIVERY_LABEL[grant.deliveryMethod]}</Descriptions.Item>
        <Descriptions.Item label="授权信息项" span={2}>{grant.items.join('、')}</Descriptions.Item>
        <Descriptions.Item label="有效期">{grant.validFrom} 至 {grant.validTo}</Descriptions.Item>
        <Descriptions.Item label="状态">
          <Tag color={GRANT_STATUS[grant.status]?.color}>{GRANT_STATUS[grant.status]?.label}</Tag>
          {grant.statusReason}
        </Descriptions.Item>
        {grant.catalogCondition && <Descriptions.Item label="共享条件" span={2}>{grant.catalogCondition}</Descriptions.Item>}
      </Descriptions>
      <Credentials grant={grant} canIssue={consumerOp} />
      {consumerOp && <Downloads grant={grant} />}
      {grant.deliveryMethod === 'push' && <PushTargets grant={grant} canAdd={consumerOp} />}
      {grant.deliveryMethod === 'handover' && <Handovers grant={grant} canRecord={side === 'provider' && hasRole('dept_operator', 'dept_reviewer')} />}
      {side === 'consumer' && hasRole('dept_operator', 'dept_reviewer') && <ReportProblem grant={grant} />}
      {side === 'provider' && hasRole('dept_reviewer', 'data_admin') && <ProviderActions grant={grant} onChanged={onChanged} />}
    </div>
  );
}

/**
 * 授权凭证: a key per requesting system, shown once. 轮换 is one server call (one transaction): the new
 * key is shown once and the old one is revoked at once, or after an overlap the user chooses.
 */
function Credentials({ grant, canIssue }: { grant: Grant; canIssue: boolean }) {
  const { message } = App.useApp();
  const list = useAsync((signal) => api<GrantCredential[]>(`${S}/grants/${grant.id}/credentials`, { signal }), [grant.id]);
  const [shown, setShown] = useState<IssuedCredential>();
  const [error, setError] = useState<unknown>();
  const run = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
    } catch (e) {
      setError(e);
    }
    list.reload();
  };
  const issue = () => run(async () => setShown(await api<IssuedCredential>(`${S}/grants/${grant.id}/credentials`, { method: 'POST' })));
  const [rotating, setRotating] = useState<GrantCredential>();
  const [overlap, setOverlap] = useState(0);
  const [busy, setBusy] = useState(false);
  const rotate = async () => {
    if (!rotating) return;
    setBusy(true);
    await run(async () => {
      const fresh = await api<RotatedCredential>(`${S}/grants/${grant.id}/credentials/${rotating.id}/rotate`, { body: { overlapMinutes: overlap } });
      setRotating(undefined);
      setShown(fresh);
    });
    setBusy(false);
  };
  const now = Date.now();
  const revoke = (c: GrantCredential) =>
    run(async () => {
      await api(`${S}/grants/${grant.id}/credentials/${c.id}`, { method: 'DELETE' });
      message.success('凭证已吊销');
    });
  return (
    <Card size="small" title="授权凭证（接口调用）" extra={canIssue && grant.status === 'active' && <Button size="small" icon={<KeyOutlined />} onClick={issue}>签发凭证</Button>} data-testid="grant-credentials">
      {error ? <ProblemAlert error={error} /> : null}
      <Table<GrantCredential>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data ?? []}
        pagination={false}
        locale={{ emptyText: canIssue ? '尚未签发凭证：签发后由使用系统以 X-Grant-Key 请求头调用' : '尚未签发凭证' }}
        columns={[
          { title: '凭证前缀', dataIndex: 'keyPrefix', render: (p: string) => <Typography.Text code>sgk_{p}_…</Typography.Text> },
          { title: '签发时间', dataIndex: 'createdAt', render: (t: string) => new Date(t).toLocaleString('zh-CN') },
          {
            title: '状态',
            render: (_: unknown, c) =>
              !c.revokedAt ? <Tag color="success">有效</Tag> : Date.parse(c.revokedAt) > now ? <Tag color="warning">过渡期，{new Date(c.revokedAt).toLocaleString('zh-CN')} 失效</Tag> : <Tag>已吊销</Tag>,
          },
          {
            title: '操作',
            render: (_: unknown, c) =>
              (!c.revokedAt || Date.parse(c.revokedAt) > now) && (
                <Space>
                  {canIssue && grant.status === 'active' && !c.revokedAt && (
                    <Button type="link" size="small" onClick={() => (setOverlap(0), setRotating(c))} aria-label={`轮换凭证 sgk_${c.keyPrefix}`}>
                      轮换
                    </Button>
                  )}
                  <Popconfirm title="吊销后使用此凭证的调用将被拒绝，确定？" onConfirm={() => revoke(c)}>
                    <Button type="link" size="small" danger>
                      吊销
                    </Button>
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
      <Modal open={!!rotating} title="轮换授权凭证" onOk={rotate} onCancel={() => setRotating(undefined)} okText="轮换" confirmLoading={busy} destroyOnHidden>
        <Typography.Paragraph>
          签发新凭证（只显示一次）并吊销凭证 <Typography.Text code>sgk_{rotating?.keyPrefix}_…</Typography.Text>，在一个操作内完成。
        </Typography.Paragraph>
        <Space direction="vertical" style={{ width: '100%' }}>
          <span id="rotate-overlap-label">旧凭证</span>
          <Segmented
            aria-labelledby="rotate-overlap-label"
            value={overlap}
            onChange={(v) => setOverlap(Number(v))}
            options={[
              { value: 0, label: '立即失效' },
              { value: 30, label: '30 分钟后失效' },
              { value: 240, label: '4 小时后失效' },
              { value: 1440, label: '24 小时后失效' },
            ]}
          />
          <Typography.Text type="secondary">过渡期内新旧凭证都可调用，便于使用系统无中断切换；过渡期内仍可随时吊销旧凭证。</Typography.Text>
        </Space>
      </Modal>
      <Modal open={!!shown} title="新的授权凭证" onOk={() => setShown(undefined)} onCancel={() => setShown(undefined)} okText="我已保存" cancelButtonProps={{ style: { display: 'none' } }}>
        <Alert type="warning" showIcon title="凭证只显示这一次，关闭后无法再查看，请立即复制并配置到使用系统。" style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable={{ text: shown?.key, icon: <CopyOutlined aria-label="复制凭证" /> }} data-testid="new-grant-key">
          <Typography.Text code>{shown?.key}</Typography.Text>
        </Typography.Paragraph>
        <Typography.Text type="secondary">
          调用示例：curl -H "X-Grant-Key: {shown?.key.slice(0, 20)}…" {location.origin}/api/sharing/records/{grant.entryId}
        </Typography.Text>
      </Modal>
    </Card>
  );
}

/** 文件下载: a signed link valid for minutes, in the granted items only. */
function Downloads({ grant }: { grant: Grant }) {
  const [error, setError] = useState<unknown>();
  const [last, setLast] = useState<{ url: string; expiresAt: string; format: string }>();
  const [busy, setBusy] = useState<string>();
  const get = async (format: 'csv' | 'xlsx' | 'json') => {
    setBusy(format);
    setError(undefined);
    try {
      const link = await api<{ url: string; expiresAt: string; format: string }>(`${S}/grants/${grant.id}/downloads`, { body: { format } });
      setLast(link);
      const a = document.createElement('a');
      a.href = link.url;
      document.body.appendChild(a);
      a.click();
      a.remove();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <Card size="small" title="文件下载">
      {error ? <ProblemAlert error={error} /> : null}
      <Space wrap>
        {(['csv', 'xlsx', 'json'] as const).map((f) => (
          <Button key={f} icon={<DownloadOutlined />} loading={busy === f} disabled={grant.status !== 'active'} onClick={() => get(f)} aria-label={`下载授权数据（${f.toUpperCase()}）`}>
            {f.toUpperCase()}
          </Button>
        ))}
      </Space>
      {last && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }} data-testid="download-link">
          已生成限时下载链接（{last.format.toUpperCase()}，{new Date(last.expiresAt).toLocaleTimeString('zh-CN')} 前有效）。每次下载都记入审计日志。
        </Typography.Paragraph>
      )}
    </Card>
  );
}

/** 数据库推送: the consumer registers its database; every new version is pushed there. */
function PushTargets({ grant, canAdd }: { grant: Grant; canAdd: boolean }) {
  const { message } = App.useApp();
  const list = useAsync((signal) => api<PushTarget[]>(`${S}/grants/${grant.id}/push-targets`, { signal }), [grant.id]);
  const [form] = Form.useForm();
  const { busy, error, run } = useSubmit();
  const add = async (v: Record<string, unknown>) => {
    await run(async () => {
      await api(`${S}/grants/${grant.id}/push-targets`, { body: v });
      message.success('已登记推送目标，当前版本将立即推送');
      form.resetFields();
      list.reload();
    });
  };
  return (
    <Card size="small" title="数据库推送">
      <PageState loading={list.loading} error={list.error} data={list.data} onRetry={list.reload}>
        {(targets) => (
          <Table<PushTarget>
            rowKey="id"
            size="small"
            dataSource={targets}
            pagination={false}
            locale={{ emptyText: '尚未登记推送目标库' }}
            columns={[
              { title: '类型', dataIndex: 'kind', render: (k: string) => (k === 'postgres' ? 'PostgreSQL' : 'MySQL / MariaDB') },
              { title: '目标表', dataIndex: 'table' },
              { title: '最近推送', render: (_: unknown, t) => (t.lastVersion ? `v${t.lastVersion} · ${t.lastRows ?? 0} 行` : '待推送') },
              { title: '结果', render: (_: unknown, t) => (t.lastStatus ? <Tag color={t.lastStatus === 'succeeded' ? 'success' : t.lastStatus === 'failed' ? 'error' : 'default'}>{t.lastStatus === 'succeeded' ? '成功' : t.lastStatus === 'failed' ? '失败' : t.lastStatus}</Tag> : '—') },
              { title: '错误', dataIndex: 'lastError', render: (e: string | null) => e ?? '—' },
            ]}
          />
        )}
      </PageState>
      {canAdd && (
        <Form form={form} name="pushTarget" layout="vertical" onFinish={add} initialValues={{ kind: 'postgres', port: 5432 }} style={{ marginTop: 12 }} aria-label="登记推送目标库">
          {error ? <ProblemAlert error={error} /> : null}
          <Space wrap align="start">
            <Form.Item label="数据库类型" name="kind">
              <Select style={{ width: 160 }} options={[{ value: 'postgres', label: 'PostgreSQL' }, { value: 'mysql', label: 'MySQL / MariaDB' }]} onChange={(k) => form.setFieldValue('port', k === 'mysql' ? 3306 : 5432)} />
            </Form.Item>
            <Form.Item label="主机" name="host" rules={[{ required: true, message: '请填写主机' }]}>
              <Input style={{ width: 180 }} />
            </Form.Item>
            <Form.Item label="端口" name="port" rules={[{ required: true }]}>
              <InputNumber min={1} max={65535} />
            </Form.Item>
            <Form.Item label="数据库" name="database" rules={[{ required: true, message: '请填写数据库名' }]}>
              <Input style={{ width: 140 }} />
            </Form.Item>
            <Form.Item label="用户名" name="user" rules={[{ required: true, message: '请填写用户名' }]}>
              <Input style={{ width: 140 }} autoComplete="off" />
            </Form.Item>
            <Form.Item label="密码" name="password">
              <Input.Password style={{ width: 160 }} autoComplete="new-password" />
            </Form.Item>
            <Form.Item label="目标表" name="table" rules={[{ required: true, pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, message: '字母、数字、下划线，不以数字开头' }]}>
              <Input style={{ width: 160 }} />
            </Form.Item>
          </Space>
          <Typography.Paragraph type="secondary">连接信息加密保存，不再显示。</Typography.Paragraph>
          <Button htmlType="submit" loading={busy}>
            登记推送目标
          </Button>
        </Form>
      )}
    </Card>
  );
}

interface Handover {
  id: string;
  version: number | null;
  fileName: string;
  sha256: string;
  rows: number;
  medium: string;
  handedTo: string;
  handedAt: string;
}

const MAX_HASH_BYTES = 512 * 1024 * 1024;

/** 离线交换: the provider records each file handed over (name, SHA-256, rows, medium, recipient); each is an audited access. */
function Handovers({ grant, canRecord }: { grant: Grant; canRecord: boolean }) {
  const { message } = App.useApp();
  const list = useAsync((signal) => api<Handover[]>(`${S}/grants/${grant.id}/handovers`, { signal }), [grant.id]);
  const [form] = Form.useForm();
  const { busy, error, run } = useSubmit();
  const [hashing, setHashing] = useState(false);
  // The hash is computed in the browser from the provider's own file: nothing is uploaded.
  const hashFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_HASH_BYTES) {
      message.warning('文件超过 512 MB，请用 sha256sum 计算后填写');
      return;
    }
    setHashing(true);
    try {
      const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
      form.setFieldsValue({ fileName: file.name, sha256: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('') });
    } finally {
      setHashing(false);
    }
  };
  const record = async (v: Record<string, unknown>) => {
    await run(async () => {
      await api(`${S}/grants/${grant.id}/handovers`, { body: v });
      message.success('已登记离线交换');
      form.resetFields();
      list.reload();
    });
  };
  return (
    <Card size="small" title="离线交换记录">
      <PageState loading={list.loading} error={list.error} data={list.data} onRetry={list.reload}>
        {(rows) => (
          <Table<Handover>
            rowKey="id"
            size="small"
            dataSource={rows}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            locale={{ emptyText: '还没有离线交换记录' }}
            columns={[
              { title: '时间', dataIndex: 'handedAt', width: 170, render: (t: string) => new Date(t).toLocaleString('zh-CN') },
              { title: '文件', dataIndex: 'fileName' },
              { title: 'SHA-256', dataIndex: 'sha256', render: (h: string) => <Typography.Text code copyable={{ text: h }}>{h.slice(0, 12)}…</Typography.Text> },
              { title: '行数', dataIndex: 'rows', width: 80 },
              { title: '介质 / 接收人', render: (_: unknown, h) => `${h.medium} → ${h.handedTo}` },
            ]}
          />
        )}
      </PageState>
      {canRecord && grant.status === 'active' && (
        <Form form={form} name="handover" layout="vertical" onFinish={record} style={{ marginTop: 12 }} aria-label="登记离线交换">
          {error ? <ProblemAlert error={error} /> : null}
          <Form.Item label="交换文件（仅在本机计算哈希，不上传）">
            <input type="file" aria-label="选择交换文件以计算 SHA-256" onChange={(e) => hashFile(e.target.files?.[0])} disabled={hashing} />
          </Form.Item>
          <Space wrap align="start">
            <Form.Item label="文件名" name="fileName" rules={[{ required: true, message: '请填写文件名' }]}>
              <Input style={{ width: 200 }} />
            </Form.Item>
            <Form.Item label="SHA-256" name="sha256" rules={[{ required: true, pattern: /^[0-9a-fA-F]{64}$/, message: '64 位十六进制' }]}>
              <Input style={{ width: 320 }} autoComplete="off" />
            </Form.Item>
            <Form.Item label="行数" name="rows" rules={[{ required: true, message: '请填写行数' }]}>
              <InputNumber min={0} />
            </Form.Item>
            <Form.Item label="介质" name="medium" rules={[{ required: true, message: '如：光盘、移动硬盘' }]}>
              <Input style={{ width: 140 }} />
            </Form.Item>
            <Form.Item label="接收人" name="handedTo" rules={[{ required: true, message: '请填写接收人' }]}>
              <Input style={{ width: 160 }} />
            </Form.Item>
          </Space>
          <Button htmlType="submit" loading={busy || hashing}>
            登记交换
          </Button>
        </Form>
      )}
    </Card>
  );
}

/** 校核纠错: the user of shared data reports a wrong value, missing rows or stale data to the provider. */
function ReportProblem({ grant }: { grant: Grant }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const { busy, error, run } = useSubmit();
  const submit = async (v: Record<string, string | undefined>) => {
    await run(async () => {
      const f = await api<ShareFeedback>(`${S}/feedback`, { body: { grantId: grant.id, ...Object.fromEntries(Object.entries(v).filter(([, x]) => x)) } });
      message.success(`已反馈，提供部门须在 ${f.dueDate} 前处理`);
      form.resetFields();
    });
  };
  return (
    <Card size="small" title="反馈数据问题">
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} name="grantFeedback" layout="vertical" onFinish={submit} initialValues={{ kind: 'wrong_value' }} aria-label="反馈数据问题">
        <Space wrap align="start">
          <Form.Item label="问题类型" name="kind">
            <Select style={{ width: 140 }} options={FEEDBACK_KINDS} />
          </Form.Item>
          <Form.Item label="信息项" name="column">
            <Select allowClear style={{ width: 180 }} options={grant.items.map((i) => ({ value: i, label: i }))} placeholder="（整体问题可不选）" />
          </Form.Item>
          <Form.Item label="问题行" name="rowRef">
            <Input style={{ width: 200 }} placeholder="如主键值" />
          </Form.Item>
        </Space>
        <Form.Item label="问题描述" name="description" rules={[{ required: true, min: 2, max: 2000, message: '请描述问题（至少 2 个字）' }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Button htmlType="submit" loading={busy}>
          提交反馈
        </Button>
      </Form>
    </Card>
  );
}

/** The provider's reviewer may suspend, resume or revoke a grant, with a reason (the user is notified). */
function ProviderActions({ grant, onChanged }: { grant: Grant; onChanged: () => void }) {
  const { message } = App.useApp();
  const [action, setAction] = useState<'suspend' | 'resume' | 'revoke' | 'renew'>();
  const [reason, setReason] = useState('');
  const [validTo, setValidTo] = useState(grant.validTo);
  const [error, setError] = useState<unknown>();
  const label = { suspend: '暂停', resume: '恢复', revoke: '撤销', renew: '续期' } as const;
  const run = async () => {
    if (!action) return;
    setError(undefined);
    try {
      await api(`${S}/grants/${grant.id}/${action}`, { body: { ...(reason.trim() ? { reason: reason.trim() } : {}), ...(action === 'renew' ? { validTo } : {}) } });
      message.success(`已${label[action]}`);
      setAction(undefined);
      onChanged();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Card size="small" title="授权管理（提供方）">
      <Space>
        {grant.status === 'active' && <Button onClick={() => (setReason(''), setAction('suspend'))}>暂停</Button>}
        {grant.status === 'suspended' && <Button onClick={() => (setReason(''), setAction('resume'))}>恢复</Button>}
        {(grant.status === 'active' || grant.status === 'expired') && <Button onClick={() => (setReason(''), setAction('renew'))}>续期</Button>}
        {(grant.status === 'active' || grant.status === 'suspended') && <Button danger onClick={() => (setReason(''), setAction('revoke'))}>撤销</Button>}
        {grant.status === 'revoked' && <Typography.Text type="secondary">授权已撤销</Typography.Text>}
      </Space>
      <Modal open={!!action} title={action ? `${label[action]}授权` : ''} onCancel={() => setAction(undefined)} onOk={run} okButtonProps={{ danger: action === 'revoke', disabled: action === 'renew' ? !validTo : action !== 'resume' && reason.trim().length < 2 }}>
        {error ? <ProblemAlert error={error} /> : null}
        {action === 'renew' && (
          <label style={{ display: 'block', marginBottom: 8 }}>
            新的截止日期{' '}
            <Input type="date" value={validTo} min={new Date().toISOString().slice(0, 10)} onChange={(e) => setValidTo(e.target.value)} style={{ width: 180 }} />
          </label>
        )}
        <Input.TextArea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} aria-label="理由" placeholder={action === 'resume' || action === 'renew' ? '说明（可选）' : '理由（必填，将通知使用部门）'} />
      </Modal>
    </Card>
  );
}

/** 纠错反馈 of the department: what it reported (confirm the answer) and what it must rectify (acknowledge, fix, answer). */
function FeedbackList() {
  const { message } = App.useApp();
  const { hasRole } = useAuth();
  const depts = useDepartments();
  const countdown = useWorkingDayCountdown();
  // The direction (?fside=), page and size are in the URL; the server narrows and pages.
  const paging = usePageParams('f', 10);
  const side: 'provider' | 'reporter' = paging.params.get('fside') === 'reporter' ? 'reporter' : 'provider';
  const list = useAsync((signal) => api<Paged<ShareFeedback>>(`${S}/feedback`, { signal, query: { side, ...paging.query } }), [side, paging.page, paging.pageSize]);
  const [acting, setActing] = useState<{ f: ShareFeedback; kind: 'fix' | 'answer' }>();
  const [text, setText] = useState('');
  const [version, setVersion] = useState<number | null>(null);
  const [error, setError] = useState<unknown>();
  const canAct = hasRole('dept_operator', 'dept_reviewer');
  const post = async (f: ShareFeedback, kind: string, body: unknown = {}) => {
    setError(undefined);
    try {
      await api(`${S}/feedback/${f.id}/${kind}`, { body });
      message.success('已处理');
      setActing(undefined);
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <Segmented aria-label="反馈方向" value={side} onChange={(v) => paging.setFilter({ fside: v === 'provider' ? undefined : String(v) })} options={[{ value: 'provider', label: '待我方整改' }, { value: 'reporter', label: '我方反馈的' }]} style={{ marginBottom: 12 }} />
      {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
      {error && !acting ? <ProblemAlert error={error} /> : null}
      <Table<ShareFeedback>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        data-testid="share-feedback"
        locale={{ emptyText: <Empty description={side === 'provider' ? '没有待整改的反馈' : '还没有反馈过问题'} /> }}
        pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
        expandable={{ expandedRowRender: (f) => <ul style={{ margin: 0 }}>{f.history.map((h, i) => <li key={i}>{new Date(h.at).toLocaleString('zh-CN')} · {FEEDBACK_STATUS[h.status as ShareFeedback['status']]?.label ?? h.status} · {h.note}</li>)}</ul> }}
        columns={[
          { title: '信息资源', render: (_: unknown, f) => entryName(f) },
          { title: side === 'provider' ? '反馈部门' : '提供部门', render: (_: unknown, f) => depts.name(side === 'provider' ? f.reporterDeptId : f.providerDeptId) },
          { title: '问题', render: (_: unknown, f) => `${FEEDBACK_KINDS.find((k) => k.value === f.kind)?.label ?? f.kind}${f.column ? ` · ${f.column}` : ''}${f.rowRef ? ` · 行 ${f.rowRef}` : ''}：${f.description}` },
          { title: '整改期限', width: 220, render: (_: unknown, f) => (f.status === 'open' || f.status === 'acknowledged' ? <DueTag due={f.dueDate} countdown={countdown} /> : f.dueDate) },
          { title: '状态', width: 90, render: (_: unknown, f) => <Tag color={FEEDBACK_STATUS[f.status]?.color}>{FEEDBACK_STATUS[f.status]?.label}</Tag> },
          {
            title: '',
            width: 170,
            render: (_: unknown, f) =>
              canAct && (
                <Space size={4} wrap>
                  {side === 'provider' && f.status === 'open' && <Button size="small" onClick={() => post(f, 'acknowledge')}>受理</Button>}
                  {side === 'provider' && (f.status === 'open' || f.status === 'acknowledged') && (
                    <>
                      <Button size="small" onClick={() => (setVersion(null), setActing({ f, kind: 'fix' }))}>已更正</Button>
                      <Button size="small" onClick={() => (setText(''), setActing({ f, kind: 'answer' }))}>答复</Button>
                    </>
                  )}
                  {side === 'reporter' && (f.status === 'fixed' || f.status === 'answered') && <Button size="small" onClick={() => post(f, 'confirm')}>确认</Button>}
                </Space>
              ),
          },
        ]}
      />
      <Modal
        open={!!acting}
        title={acting?.kind === 'fix' ? '已在新版本中更正' : '答复不更正的理由'}
        onCancel={() => setActing(undefined)}
        onOk={() => acting && post(acting.f, acting.kind, acting.kind === 'fix' ? { version } : { answer: text.trim() })}
        okButtonProps={{ disabled: acting?.kind === 'fix' ? !version : text.trim().length < 2 }}
      >
        {error ? <ProblemAlert error={error} /> : null}
        {acting?.kind === 'fix' ? (
          <InputNumber min={1} value={version} onChange={(v) => setVersion(v)} aria-label="包含更正的数据集版本号" placeholder="版本号" style={{ width: 200 }} />
        ) : (
          <Input.TextArea rows={3} value={text} onChange={(e) => setText(e.target.value)} aria-label="不更正的理由" />
        )}
      </Modal>
    </>
  );
}
