import { App, Button, Card, Descriptions, Empty, Form, Input, Modal, Segmented, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useAuth } from '../../api/auth';
import { api } from '../../api/client';
import { APPLICATION_STATUS, ConditionalApplication, FEEDBACK_KIND, OPEN, OpenFeedback } from '../../api/developer';
import { DueTag } from '../../components/DueTag';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useSubmit } from '../../components/useSubmit';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { useWorkingDayCountdown } from '../../components/workingDays';

/**
 * 开放互动 (provider side of the open portal): conditional-opening applications for the department's
 * datasets, answered within the working-day limit; 数据纠错 (and, for the bureau, 需求征集 and
 * suggestions) answered publicly.
 */
export default function OpenInteractionsPage() {
  return (
    <div>
      <h1 className="page-title">开放互动</h1>
      <Card>
        <Tabs
          items={[
            { key: 'applications', label: '有条件开放申请', children: <Applications /> },
            { key: 'feedback', label: '纠错与需求', children: <PublicFeedback /> },
          ]}
        />
      </Card>
    </div>
  );
}

/** The dataset's name comes with each application (joined on the server). */
const datasetName = (a: ConditionalApplication) => a.datasetName ?? `数据集 ${a.datasetId.slice(0, 8)}`;

function Applications() {
  const { hasRole } = useAuth();
  const countdown = useWorkingDayCountdown();
  // Filtered and paged on the server; the state and page are in the URL (?status=&page=&pageSize=).
  const paging = usePageParams('', 10);
  const s = paging.params.get('status');
  const status: 'pending' | 'approved' | 'refused' = s === 'approved' || s === 'refused' ? s : 'pending';
  const list = useAsync((signal) => api<Paged<ConditionalApplication>>(`${OPEN}/admin/applications`, { signal, query: { status, ...paging.query } }), [status, paging.page, paging.pageSize]);
  const [deciding, setDeciding] = useState<ConditionalApplication>();
  const canDecide = hasRole('dept_reviewer', 'data_admin');
  return (
    <>
      <Segmented aria-label="申请状态" value={status} onChange={(v) => paging.setFilter({ status: v === 'pending' ? undefined : String(v) })} options={[{ value: 'pending', label: '待审核' }, { value: 'approved', label: '已批准' }, { value: 'refused', label: '未批准' }]} style={{ marginBottom: 12 }} />
      {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
      <Table<ConditionalApplication>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        data-testid="open-applications"
        locale={{ emptyText: <Empty description={status === 'pending' ? '没有待审核的有条件开放申请' : '暂无记录'} /> }}
        pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
        expandable={{ expandedRowRender: (a) => <ApplicationDetail a={a} /> }}
        columns={[
          { title: '数据集', render: (_: unknown, a) => datasetName(a) },
          { title: '申请单位', render: (_: unknown, a) => a.organisation },
          { title: '用途', render: (_: unknown, a) => <Typography.Text ellipsis={{ tooltip: a.purpose }} style={{ maxWidth: 240 }}>{a.purpose}</Typography.Text> },
          { title: '提交', width: 110, render: (_: unknown, a) => a.createdAt.slice(0, 10) },
          { title: '答复期限', width: 220, render: (_: unknown, a) => (a.status === 'pending' ? <DueTag due={a.dueOn} countdown={countdown} /> : (a.decidedAt?.slice(0, 10) ?? '—')) },
          { title: '状态', width: 90, render: (_: unknown, a) => <Tag color={APPLICATION_STATUS[a.status].color}>{APPLICATION_STATUS[a.status].label}</Tag> },
          ...(canDecide ? [{ title: '', width: 80, render: (_: unknown, a: ConditionalApplication) => a.status === 'pending' && <Button size="small" type="primary" onClick={() => setDeciding(a)}>审核</Button> }] : []),
        ]}
      />
      {deciding && <DecideModal a={deciding} title={datasetName(deciding)} onClose={(done) => (setDeciding(undefined), done && list.reload())} />}
    </>
  );
}

function ApplicationDetail({ a }: { a: ConditionalApplication }) {
  return (
    <Descriptions size="small" column={1}>
      <Descriptions.Item label="统一社会信用代码">{a.creditCode}</Descriptions.Item>
      <Descriptions.Item label="用途">{a.purpose}</Descriptions.Item>
      <Descriptions.Item label="应用场景">{a.scenario}</Descriptions.Item>
      <Descriptions.Item label="安全承诺">{a.commitments}</Descriptions.Item>
      {a.terms && <Descriptions.Item label="使用条款">{a.terms}（至 {a.endDate}）</Descriptions.Item>}
      {a.reasons && <Descriptions.Item label="未批准理由">{a.reasons}</Descriptions.Item>}
    </Descriptions>
  );
}

function DecideModal({ a, title, onClose }: { a: ConditionalApplication; title: string; onClose: (done: boolean) => void }) {
  const { message } = App.useApp();
  const [approve, setApprove] = useState(true);
  const [form] = Form.useForm();
  const { busy, error, run } = useSubmit();
  const submit = async () => {
    const v = await form.validateFields().catch(() => undefined);
    if (!v) return;
    await run(async () => {
      await api(`${OPEN}/admin/applications/${a.id}/decide`, { body: approve ? { approve, terms: v.terms, endDate: v.endDate } : { approve, reasons: v.reasons } });
      message.success(approve ? '已批准，申请人的应用可使用该数据集' : '已答复未批准');
      onClose(true);
    });
  };
  return (
    <Modal open title={`审核有条件开放申请：${title}`} onCancel={() => onClose(false)} onOk={submit} okText={approve ? '批准' : '不予批准'} okButtonProps={{ danger: !approve }} confirmLoading={busy} width={620}>
      {error ? <ProblemAlert error={error} /> : null}
      <ApplicationDetail a={a} />
      <Segmented aria-label="审核结论" value={approve ? 'yes' : 'no'} onChange={(v) => setApprove(v === 'yes')} options={[{ value: 'yes', label: '批准' }, { value: 'no', label: '不予批准' }]} style={{ margin: '12px 0' }} />
      <Form form={form} layout="vertical" key={String(approve)} name="decideApplication">
        {approve ? (
          <>
            <Form.Item label="使用条款" name="terms" initialValue="仅限申请用途和场景使用；不得重新识别个人；不得向第三方提供；到期后销毁。" rules={[{ required: true, min: 2, message: '请写明使用条款' }]}>
              <Input.TextArea rows={3} />
            </Form.Item>
            <Form.Item label="授权截止日期" name="endDate" rules={[{ required: true, message: '请选择截止日期' }]}>
              <Input type="date" min={new Date().toISOString().slice(0, 10)} style={{ width: 200 }} />
            </Form.Item>
          </>
        ) : (
          <Form.Item label="理由" name="reasons" rules={[{ required: true, min: 5, message: '请说明理由（至少 5 个字）' }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function PublicFeedback() {
  const { message } = App.useApp();
  const { hasRole } = useAuth();
  const countdown = useWorkingDayCountdown();
  // Its own URL parameters (?fstatus=&fpage=&fpageSize=), next to the applications tab's.
  const paging = usePageParams('f', 10);
  const status: 'open' | 'answered' = paging.params.get('fstatus') === 'answered' ? 'answered' : 'open';
  const list = useAsync((signal) => api<Paged<OpenFeedback>>(`${OPEN}/admin/feedback`, { signal, query: { status, ...paging.query } }), [status, paging.page, paging.pageSize]);
  const [answering, setAnswering] = useState<OpenFeedback>();
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const answer = async () => {
    if (!answering) return;
    setError(undefined);
    try {
      await api(`${OPEN}/admin/feedback/${answering.id}/answer`, { body: { answer: text.trim() } });
      message.success('已公开答复');
      setAnswering(undefined);
      list.reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      <Typography.Paragraph type="secondary">
        {hasRole('data_admin') ? '数据纠错由提供部门答复；需求征集与意见建议由数据局答复。' : '公众对本部门开放数据的纠错。'}答复将在门户公开。
      </Typography.Paragraph>
      <Segmented aria-label="答复状态" value={status} onChange={(v) => paging.setFilter({ fstatus: v === 'open' ? undefined : String(v) })} options={[{ value: 'open', label: '待答复' }, { value: 'answered', label: '已答复' }]} style={{ marginBottom: 12 }} />
      {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
      <Table<OpenFeedback>
        rowKey="id"
        size="small"
        loading={list.loading}
        dataSource={list.data?.items ?? []}
        data-testid="open-feedback"
        locale={{ emptyText: <Empty description={status === 'open' ? '没有待答复的纠错或需求' : '暂无记录'} /> }}
        pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
        expandable={{ expandedRowRender: (f) => <div><div>{f.body}</div>{f.answer && <div style={{ color: '#389e0d' }}>答复：{f.answer}</div>}</div> }}
        columns={[
          { title: '类型', width: 100, render: (_: unknown, f) => <Tag>{FEEDBACK_KIND[f.kind]}</Tag> },
          { title: '标题', dataIndex: 'title' },
          { title: '数据集', render: (_: unknown, f) => f.datasetName ?? '—' },
          { title: '答复期限', width: 220, render: (_: unknown, f) => (f.status === 'open' ? <DueTag due={f.dueOn} countdown={countdown} /> : (f.answeredAt?.slice(0, 10) ?? '—')) },
          { title: '', width: 80, render: (_: unknown, f) => f.status === 'open' && <Button size="small" type="primary" onClick={() => (setText(''), setError(undefined), setAnswering(f))}>答复</Button> },
        ]}
      />
      <Modal open={!!answering} title={`公开答复：${answering?.title ?? ''}`} onCancel={() => setAnswering(undefined)} onOk={answer} okText="公开答复" okButtonProps={{ disabled: text.trim().length < 5 }}>
        {error ? <ProblemAlert error={error} /> : null}
        <Typography.Paragraph>{answering?.body}</Typography.Paragraph>
        <Input.TextArea rows={4} value={text} onChange={(e) => setText(e.target.value)} aria-label="答复内容" placeholder="答复内容（至少 5 个字），将在门户公开" />
      </Modal>
    </>
  );
}
