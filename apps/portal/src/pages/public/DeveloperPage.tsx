import { Alert, App, Badge, Button, Card, Col, Descriptions, Empty, Form, Input, List, Modal, Popconfirm, Row, Segmented, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { devApi, DevSession, saveDevSession, useDevSession } from '../../api/developer';
import { SCORE_LABELS, Submission, SubmissionKind, SUBMISSION_KIND, SUBMISSIONS_PATH, SubmissionsPage, submissionState } from '../../api/submissions';
import { ConditionalApplications } from './ConditionalApplications';
import { api } from '../../api/client';
import { barOption } from '../../components/chartOptions';
import { LazyChart } from '../../components/LazyChart';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useAsync } from '../../components/useAsync';

const BASE = '/api/open/v1/developers';

interface AppKey {
  id: string;
  prefix: string;
  status: string;
  createdAt: string;
  revokedAt: string | null;
}

interface DevApp {
  id: string;
  name: string;
  description: string | null;
  tier: string;
  createdAt: string;
  keys: AppKey[];
}

interface NewKey {
  id: string;
  prefix: string;
  apiKey: string;
  notice?: string;
}

interface Usage {
  appId: string;
  tier: string;
  limits: { perSecond: number; perDay: number; maxDownloadRows: number };
  today: string;
  days: { day?: string; date?: string; calls?: number; rows?: number; errors?: number }[];
}

/** 开发者中心: a developer account (separate from staff accounts), apps, keys shown once, usage. */
export default function DeveloperPage() {
  const session = useDevSession();
  const save = saveDevSession;
  return (
    <div className="content-narrow" style={{ paddingBlock: 24 }}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <h1 className="page-title">开发者中心</h1>
        {session && (
          <Space>
            <Typography.Text>{session.name}</Typography.Text>
            <Button onClick={() => save(undefined)}>退出</Button>
          </Space>
        )}
      </Space>
      {session ? <Console session={session} onExpired={() => save(undefined)} /> : <SignIn onSignedIn={save} />}
    </div>
  );
}

function SignIn({ onSignedIn }: { onSignedIn: (s: DevSession) => void }) {
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async (path: string, body: unknown) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api<DevSession>(path, { body, anonymous: true });
      onSignedIn({ id: r.id, name: r.name, accessToken: r.accessToken });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Row gutter={24}>
      <Col xs={24} md={12}>
        <Card>
          {error ? (
            <div style={{ marginBottom: 12 }}>
              <ProblemAlert error={error} />
            </div>
          ) : null}
          <Tabs
            items={[
              {
                key: 'login',
                label: '登录',
                children: (
                  <Form name="devLogin" layout="vertical" onFinish={(v) => run(`${BASE}/login`, v)} aria-label="开发者登录">
                    <Form.Item label="邮箱" name="email" rules={[{ required: true, message: '请输入邮箱' }]}>
                      <Input autoComplete="email" />
                    </Form.Item>
                    <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
                      <Input.Password autoComplete="current-password" />
                    </Form.Item>
                    <Button type="primary" htmlType="submit" loading={busy} block>
                      登录
                    </Button>
                  </Form>
                ),
              },
              {
                key: 'register',
                label: '注册',
                children: (
                  <Form name="devRegister" layout="vertical" onFinish={(v) => run(BASE, v)} aria-label="开发者注册">
                    <Form.Item label="姓名或昵称" name="name" rules={[{ required: true, message: '请输入姓名或昵称' }]}>
                      <Input />
                    </Form.Item>
                    <Form.Item label="邮箱" name="email" rules={[{ required: true, type: 'email', message: '请输入有效的邮箱' }]}>
                      <Input autoComplete="email" />
                    </Form.Item>
                    <Form.Item label="密码" name="password" rules={[{ required: true, min: 8, message: '至少 8 位' }]}>
                      <Input.Password autoComplete="new-password" />
                    </Form.Item>
                    <Form.Item label="所在单位" name="organisation">
                      <Input />
                    </Form.Item>
                    <Button type="primary" htmlType="submit" loading={busy} block>
                      注册并登录
                    </Button>
                  </Form>
                ),
              },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} md={12}>
        <Card title="接入说明">
          <ol style={{ paddingLeft: 20, margin: 0, lineHeight: 2 }}>
            <li>注册开发者账号并创建应用，获得 API 密钥（只显示一次）。</li>
            <li>
              在 <Link to="/data">开放数据目录</Link> 的数据集页面查看接口示例。
            </li>
            <li>
              请求时携带请求头 <Typography.Text code>X-API-Key</Typography.Text>；无条件开放数据也可直接下载。
            </li>
            <li>
              完整接口文档见 <a href="/api/docs">/api/docs</a>。
            </li>
          </ol>
        </Card>
      </Col>
    </Row>
  );
}

function Console({ session, onExpired }: { session: DevSession; onExpired: () => void }) {
  const { message } = App.useApp();
  const auth = { authorization: `Bearer ${session.accessToken}` };
  const apps = useAsync(
    (signal) =>
      api<DevApp[]>(`${BASE}/me/apps`, { signal, anonymous: true, headers: auth }).catch((e) => {
        if (e?.status === 401) onExpired();
        throw e;
      }),
    [session.accessToken],
  );
  const [shown, setShown] = useState<NewKey>();
  const [error, setError] = useState<unknown>();
  const [form] = Form.useForm();

  const act = async (path: string, body: unknown, showKey: (r: any) => NewKey | undefined) => {
    setError(undefined);
    try {
      const r = await api<unknown>(path, { body, anonymous: true, headers: auth });
      const k = showKey(r);
      if (k) setShown(k);
      apps.reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };

  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') === 'submissions' ? 'submissions' : 'apps';
  const appsTab = (
    <div style={{ display: 'grid', gap: 16 }}>
      {error ? <ProblemAlert error={error} /> : null}
      <Card title="创建应用">
        <Form
          form={form}
          layout="inline"
          onFinish={async (v) => (await act(`${BASE}/me/apps`, v, (r) => r.key)) && form.resetFields()}
          aria-label="创建应用"
        >
          <Form.Item label="应用名称" name="name" rules={[{ required: true, message: '请输入应用名称' }]}>
            <Input />
          </Form.Item>
          <Form.Item label="用途说明" name="description">
            <Input style={{ width: 320 }} />
          </Form.Item>
          <Button type="primary" htmlType="submit">
            创建并生成密钥
          </Button>
        </Form>
      </Card>
      <PageState loading={apps.loading} error={apps.error} data={apps.data} onRetry={apps.reload} isEmpty={(d) => d.length === 0} empty={<Empty description="还没有应用：创建一个以获得 API 密钥" />}>
        {(list) => (
          <>
            {list.map((a) => (
              <Card
                key={a.id}
                title={
                  <Space>
                    {a.name}
                    <Tag>{a.tier}</Tag>
                  </Space>
                }
                extra={
                  <Button size="small" onClick={() => act(`${BASE}/me/apps/${a.id}/keys`, {}, (r) => r)}>
                    新增密钥
                  </Button>
                }
                data-testid="developer-app"
              >
                <Row gutter={16}>
                  <Col xs={24} lg={12}>
                    <Table<AppKey>
                      size="small"
                      rowKey="id"
                      pagination={false}
                      dataSource={a.keys}
                      columns={[
                        { title: '密钥前缀', dataIndex: 'prefix', render: (p: string) => <Typography.Text code>gdk_{p}_…</Typography.Text> },
                        { title: '状态', dataIndex: 'status', render: (s: string) => <Tag color={s === 'active' ? 'success' : 'default'}>{s === 'active' ? '有效' : '已吊销'}</Tag> },
                        { title: '创建时间', dataIndex: 'createdAt', render: (t: string) => new Date(t).toLocaleString('zh-CN') },
                        {
                          title: '操作',
                          render: (_: unknown, k) =>
                            k.status === 'active' && (
                              <Space>
                                <Popconfirm title="轮换后旧密钥立即失效，确定？" onConfirm={() => act(`${BASE}/me/apps/${a.id}/keys/${k.id}/rotate`, {}, (r) => r.key ?? r)}>
                                  <a>轮换</a>
                                </Popconfirm>
                                <Popconfirm title="吊销后使用该密钥的调用将被拒绝，确定？" onConfirm={() => act(`${BASE}/me/apps/${a.id}/keys/${k.id}/revoke`, {}, () => undefined).then((ok) => ok && message.success('已吊销'))}>
                                  <a>吊销</a>
                                </Popconfirm>
                              </Space>
                            ),
                        },
                      ]}
                    />
                  </Col>
                  <Col xs={24} lg={12}>
                    <UsageChart appId={a.id} auth={auth} />
                  </Col>
                </Row>
              </Card>
            ))}
          </>
        )}
      </PageState>
      <ConditionalApplications session={session} apps={apps.data ?? []} />
    </div>
  );

  return (
    <div>
      <Tabs
        activeKey={tab}
        onChange={(k) =>
          setParams((prev) => {
            const next = new URLSearchParams(prev);
            if (k === 'submissions') next.set('tab', k);
            else next.delete('tab');
            next.delete('subKind');
            next.delete('subPage');
            return next;
          })
        }
        items={[
          { key: 'apps', label: '应用与申请', children: appsTab },
          { key: 'submissions', label: '我的提交', children: <MySubmissions session={session} /> },
        ]}
      />
      <Modal open={!!shown} title="新的 API 密钥" onOk={() => setShown(undefined)} onCancel={() => setShown(undefined)} okText="我已保存" cancelButtonProps={{ style: { display: 'none' } }}>
        <Alert type="warning" showIcon title="密钥只显示这一次，关闭后无法再查看，请立即复制保存。" style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable={{ text: shown?.apiKey }} data-testid="new-api-key">
          <Typography.Text code>{shown?.apiKey}</Typography.Text>
        </Typography.Paragraph>
      </Modal>
    </div>
  );
}

function UsageChart({ appId, auth }: { appId: string; auth: Record<string, string> }) {
  const u = useAsync((signal) => api<Usage>(`${BASE}/me/apps/${appId}/usage`, { signal, anonymous: true, headers: auth, query: { days: 14 } }), [appId]);
  return (
    <PageState loading={u.loading} error={u.error} data={u.data}>
      {(d) => (
        <div>
          <Descriptions size="small" column={3}>
            <Descriptions.Item label="等级">{d.tier}</Descriptions.Item>
            <Descriptions.Item label="每秒">{d.limits.perSecond}</Descriptions.Item>
            <Descriptions.Item label="每日">{d.limits.perDay}</Descriptions.Item>
          </Descriptions>
          {d.days.length ? (
            <LazyChart label="近 14 天调用量" height={200} option={barOption(d.days.map((x) => String(x.day ?? x.date ?? '').slice(5, 10)), d.days.map((x) => x.calls ?? 0), { name: '调用次数' })} />
          ) : (
            <Typography.Text type="secondary">近 14 天暂无调用</Typography.Text>
          )}
        </div>
      )}
    </PageState>
  );
}

const KINDS = Object.keys(SUBMISSION_KIND) as SubmissionKind[];

/** 我的提交: the developer's ratings, comments, 纠错, 需求, 建议 and showcase apps, with answers and states (paged on the server). */
function MySubmissions({ session }: { session: DevSession }) {
  const [params, setParams] = useSearchParams();
  const kindParam = params.get('subKind') as SubmissionKind | null;
  const kind = kindParam && KINDS.includes(kindParam) ? kindParam : undefined;
  const page = Math.max(1, Number(params.get('subPage')) || 1);
  const pageSize = 10;
  const set = (patch: Record<string, string | undefined>) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      for (const [k, v] of Object.entries(patch)) (v ? next.set(k, v) : next.delete(k));
      return next;
    });
  const list = useAsync((signal) => devApi<SubmissionsPage>(session, SUBMISSIONS_PATH, { signal, query: { kind, page, pageSize } }), [session.accessToken, kind, page]);
  const counts = list.data?.counts;
  const all = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : undefined;
  return (
    <Card data-testid="my-submissions">
      <Space direction="vertical" style={{ width: '100%' }} size={12}>
        <Segmented<string>
          aria-label="提交类型"
          value={kind ?? 'all'}
          onChange={(v) => set({ subKind: v === 'all' ? undefined : v, subPage: undefined })}
          options={[
            { value: 'all', label: <Space size={4}>全部{all !== undefined && <Badge count={all} showZero color="#d9d9d9" style={{ color: '#555' }} />}</Space> },
            ...KINDS.map((k) => ({
              value: k,
              label: (
                <Space size={4}>
                  {SUBMISSION_KIND[k]}
                  {counts && <Badge count={counts[k]} showZero color="#d9d9d9" style={{ color: '#555' }} />}
                </Space>
              ),
            })),
          ]}
        />
        <Typography.Text type="secondary">有条件开放申请的进度见「应用与申请」。数据纠错由数据提供部门答复，需求征集与意见建议由数据局答复，答复均公开。</Typography.Text>
        {list.error ? <ProblemAlert error={list.error} title="加载失败" onRetry={list.reload} /> : null}
        <List<Submission>
          aria-label="我的提交列表"
          loading={list.loading}
          dataSource={list.data?.items ?? []}
          locale={{
            emptyText: list.error ? (
              '未能加载'
            ) : (
              <Empty description={kind ? `还没有${SUBMISSION_KIND[kind]}` : '还没有提交：可在数据集页面评分、评论、纠错，或在需求征集、应用展示页面提交'} />
            ),
          }}
          pagination={
            (list.data?.total ?? 0) > pageSize
              ? { current: page, pageSize, total: list.data?.total ?? 0, showTotal: (t) => `共 ${t} 条`, onChange: (p) => set({ subPage: p > 1 ? String(p) : undefined }) }
              : false
          }
          renderItem={(s) => <SubmissionItem s={s} />}
        />
      </Space>
    </Card>
  );
}

function SubmissionItem({ s }: { s: Submission }) {
  const state = submissionState(s);
  const datasets = s.kind === 'showcase' ? s.datasets : s.datasetId ? [{ id: s.datasetId, name: s.datasetName }] : [];
  return (
    <List.Item data-testid="submission">
      <Space direction="vertical" size={4} style={{ width: '100%' }}>
        <Space wrap>
          <Tag color="blue">{SUBMISSION_KIND[s.kind]}</Tag>
          <Tag color={state.color}>{state.label}</Tag>
          {s.title && <Typography.Text strong>{s.title}</Typography.Text>}
          {datasets.map((d) => (
            <Link key={d.id} to={`/data/${d.id}`}>
              {d.name ?? '（数据集已不再开放）'}
            </Link>
          ))}
          <Typography.Text type="secondary">{new Date(s.createdAt).toLocaleString('zh-CN', { hour12: false })}</Typography.Text>
        </Space>
        {s.scores && (
          <Space wrap>
            {(Object.keys(SCORE_LABELS) as (keyof typeof SCORE_LABELS)[]).map((k) => (
              <span key={k}>
                {SCORE_LABELS[k]} {s.scores![k]} 分
              </span>
            ))}
          </Space>
        )}
        {s.body && <Typography.Paragraph style={{ margin: 0 }} ellipsis={{ rows: 3, expandable: true, symbol: '展开' }}>{s.body}</Typography.Paragraph>}
        {s.url && (
          <a href={s.url} target="_blank" rel="noreferrer noopener">
            {s.url}
          </a>
        )}
        {s.answer ? (
          <Alert type="success" showIcon title={`公开答复${s.answeredAt ? `（${new Date(s.answeredAt).toLocaleDateString('zh-CN')}）` : ''}：${s.answer}`} />
        ) : s.dueOn ? (
          <Typography.Text type={s.overdue ? 'danger' : 'secondary'}>答复期限：{s.dueOn}</Typography.Text>
        ) : null}
      </Space>
    </List.Item>
  );
}
