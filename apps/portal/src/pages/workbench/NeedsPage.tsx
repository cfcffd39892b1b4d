import { App, Button, Card, Col, Empty, Form, Input, Modal, Row, Segmented, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useAuth } from '../../api/auth';
import { api } from '../../api/client';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useSubmit } from '../../components/useSubmit';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { useDepartments } from '../bureau/useDepartments';
import type { DataNeed } from './sharingTypes';

const NEED_STATUS = { open: { label: '待分派', color: 'processing' }, assigned: { label: '已分派', color: 'warning' }, answered: { label: '已答复', color: 'success' } } as const;

/**
 * 供需对接: a department publishes a data need no catalog entry meets; the platform suggests
 * providers; the data bureau assigns one; the provider catalogs it or explains why not.
 */
export default function NeedsPage() {
  const { user, hasRole } = useAuth();
  const depts = useDepartments();
  // The view (?view=), page and size are in the URL; the server narrows and pages (within what the department may see).
  const paging = usePageParams('', 10);
  const v = paging.params.get('view');
  const view: 'all' | 'mine' | 'assigned' = v === 'all' || v === 'mine' || v === 'assigned' ? v : hasRole('data_admin') ? 'all' : 'assigned';
  const setView = (next: typeof view) => paging.setFilter({ view: next });
  const list = useAsync((signal) => api<Paged<DataNeed>>('/api/sharing/needs', { signal, query: { view: view === 'all' ? undefined : view, ...paging.query } }), [view, paging.page, paging.pageSize]);
  const [assigning, setAssigning] = useState<DataNeed>();
  const [answering, setAnswering] = useState<DataNeed>();
  return (
    <div>
      <h1 className="page-title">供需对接</h1>
      <Row gutter={16}>
        <Col xs={24} xl={hasRole('dept_operator') ? 16 : 24}>
          <Card
            title="数据需求"
            extra={
              <Segmented
                aria-label="需求范围"
                value={view}
                onChange={(v) => setView(v as typeof view)}
                options={[
                  { value: 'assigned', label: '分派给我方' },
                  { value: 'mine', label: '我方提出' },
                  { value: 'all', label: '全部可见' },
                ]}
              />
            }
          >
            {list.error ? <ProblemAlert error={list.error} onRetry={list.reload} /> : null}
            <Table<DataNeed>
              rowKey="id"
              size="small"
              loading={list.loading}
              dataSource={list.data?.items ?? []}
              data-testid="needs"
              locale={{ emptyText: <Empty description={view === 'assigned' ? '没有分派给本部门的需求' : view === 'mine' ? '本部门还没有提出需求' : '暂无数据需求'} /> }}
              pagination={paging.pagination(list.data?.total, { showSizeChanger: true })}
              expandable={{
                expandedRowRender: (n) => (
                  <div>
                    <Typography.Paragraph>{n.description}</Typography.Paragraph>
                    {n.items.length > 0 && <div>需要的信息项：{n.items.join('、')}</div>}
                    <div>
                      建议提供部门：
                      {n.suggestions.length ? n.suggestions.map((s) => <Tag key={s.entryId}>{s.deptName} · {s.entryName}（{Math.round(s.score * 100)}%）</Tag>) : '无匹配目录'}
                    </div>
                    {n.answer && <div>答复：{n.answerEntryId ? `已编目：${n.answerEntryName ?? `目录 ${n.answerEntryId.slice(0, 8)}`}` : n.answer}</div>}
                  </div>
                ),
              }}
              columns={[
                { title: '需求', dataIndex: 'title', width: '28%' },
                { title: '提出部门', render: (_: unknown, n) => depts.name(n.deptId) },
                { title: '提供部门', render: (_: unknown, n) => (n.assignedDeptId ? depts.name(n.assignedDeptId) : '—') },
                { title: '提出时间', width: 110, render: (_: unknown, n) => n.createdAt.slice(0, 10) },
                { title: '状态', width: 90, render: (_: unknown, n) => <Tag color={NEED_STATUS[n.status].color}>{NEED_STATUS[n.status].label}</Tag> },
                {
                  title: '',
                  width: 90,
                  render: (_: unknown, n) => (
                    <Space size={4}>
                      {hasRole('data_admin') && n.status !== 'answered' && <Button size="small" onClick={() => setAssigning(n)}>分派</Button>}
                      {hasRole('dept_operator', 'dept_reviewer') && n.status === 'assigned' && n.assignedDeptId === user?.deptId && (
                        <Button size="small" type="primary" onClick={() => setAnswering(n)}>
                          答复
                        </Button>
                      )}
                    </Space>
                  ),
                },
              ]}
            />
          </Card>
        </Col>
        {hasRole('dept_operator') && (
          <Col xs={24} xl={8}>
            <PostNeed onPosted={() => (view === 'mine' && paging.page === 1 ? list.reload() : setView('mine'))} />
          </Col>
        )}
      </Row>
      {assigning && <AssignModal need={assigning} onClose={(done) => (setAssigning(undefined), done && list.reload())} />}
      {answering && <AnswerModal need={answering} onClose={(done) => (setAnswering(undefined), done && list.reload())} />}
    </div>
  );
}

function PostNeed({ onPosted }: { onPosted: () => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const { busy, error, run } = useSubmit();
  const [result, setResult] = useState<DataNeed>();
  const submit = async (v: { title: string; description: string; items?: string[] }) => {
    await run(async () => {
      const n = await api<DataNeed>('/api/sharing/needs', { body: v });
      setResult(n);
      message.success('需求已发布，等待数据局分派');
      form.resetFields();
      onPosted();
    });
  };
  return (
    <Card title="提出数据需求">
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} name="need" layout="vertical" onFinish={submit} aria-label="提出数据需求">
        <Form.Item label="需求名称" name="title" rules={[{ required: true, min: 2, max: 200, message: '请填写需求名称' }]}>
          <Input placeholder="如：企业欠薪记录" />
        </Form.Item>
        <Form.Item label="需求说明" name="description" rules={[{ required: true, min: 2, max: 2000, message: '请说明用途和范围' }]}>
          <Input.TextArea rows={3} />
        </Form.Item>
        <Form.Item label="需要的信息项" name="items" extra="输入后按回车添加">
          <Select mode="tags" open={false} tokenSeparators={[',', '，', '、']} aria-label="需要的信息项" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block>
          发布需求
        </Button>
      </Form>
      {result && (
        <div style={{ marginTop: 12 }} data-testid="need-suggestions">
          <Typography.Text strong>建议的提供部门：</Typography.Text>
          {result.suggestions.length ? result.suggestions.map((s) => <Tag key={s.entryId}>{s.deptName} · {s.entryName}</Tag>) : <Typography.Text type="secondary">没有匹配的目录，将由数据局协调</Typography.Text>}
        </div>
      )}
    </Card>
  );
}

function AssignModal({ need, onClose }: { need: DataNeed; onClose: (done: boolean) => void }) {
  const depts = useDepartments();
  const [deptId, setDeptId] = useState<string | undefined>(need.assignedDeptId ?? need.suggestions[0]?.deptId);
  const [error, setError] = useState<unknown>();
  const submit = async () => {
    setError(undefined);
    try {
      await api(`/api/sharing/needs/${need.id}/assign`, { body: { deptId } });
      onClose(true);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Modal open title={`分派需求：${need.title}`} onCancel={() => onClose(false)} onOk={submit} okButtonProps={{ disabled: !deptId }} okText="分派">
      {error ? <ProblemAlert error={error} /> : null}
      <Select
        aria-label="提供部门"
        style={{ width: '100%' }}
        value={deptId}
        onChange={setDeptId}
        showSearch
        optionFilterProp="label"
        options={depts.list.filter((d) => d.id !== need.deptId).map((d) => ({ value: d.id, label: `${d.name}${need.suggestions.some((s) => s.deptId === d.id) ? '（建议）' : ''}` }))}
      />
    </Modal>
  );
}

function AnswerModal({ need, onClose }: { need: DataNeed; onClose: (done: boolean) => void }) {
  const { user } = useAuth();
  const [mode, setMode] = useState<'entry' | 'reason'>('entry');
  const [entryId, setEntryId] = useState<string>();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  // The department's published entries, searched on the server as the user types (never the whole list).
  const [q, setQ] = useState('');
  const mine = useAsync((signal) => api<Paged<{ entryId: string; name: string }>>('/api/sharing/entries', { signal, query: { deptId: user?.deptId, q: q || undefined, pageSize: 50 } }), [user?.deptId, q]);
  const submit = async () => {
    setError(undefined);
    try {
      await api(`/api/sharing/needs/${need.id}/answer`, { body: mode === 'entry' ? { entryId } : { reason: reason.trim() } });
      onClose(true);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Modal open title={`答复需求：${need.title}`} onCancel={() => onClose(false)} onOk={submit} okText="答复" okButtonProps={{ disabled: mode === 'entry' ? !entryId : reason.trim().length < 2 }}>
      {error ? <ProblemAlert error={error} /> : null}
      <Segmented aria-label="答复方式" value={mode} onChange={(v) => setMode(v as typeof mode)} options={[{ value: 'entry', label: '已编目' }, { value: 'reason', label: '不能提供' }]} style={{ marginBottom: 12 }} />
      {mode === 'entry' ? (
        <Select aria-label="为此需求编目的目录" style={{ width: '100%' }} loading={mine.loading} value={entryId} onChange={setEntryId} showSearch filterOption={false} onSearch={setQ} notFoundContent={mine.loading ? '检索中…' : '没有匹配的目录'} options={(mine.data?.items ?? []).map((e) => ({ value: e.entryId, label: e.name }))} placeholder="选择本部门已发布的目录" />
      ) : (
        <Input.TextArea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} aria-label="不能提供的理由" placeholder="说明不能提供的理由" />
      )}
    </Modal>
  );
}
