import { Alert, App, Button, Card, Col, Empty, Form, Input, List, Row, Segmented, Space, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { devApi, OPEN, OpenFeedback, useDevSession } from '../../api/developer';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useSubmit } from '../../components/useSubmit';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';

const PAGE_SIZE = 10;

/**
 * 需求征集: the public asks for data not yet opened; the data bureau answers publicly within its
 * working-day limit. Anyone may submit (signed-in developers are named to the bureau).
 */
export default function DataRequestsPage() {
  const session = useDevSession();
  const paging = usePageParams('', PAGE_SIZE);
  const status = paging.params.get('status');
  const filter: 'all' | 'answered' | 'open' = status === 'answered' || status === 'open' ? status : 'all';
  // Filtered and paged on the server: only the page shown is loaded.
  const list = useAsync(
    (signal) => devApi<Paged<OpenFeedback>>(undefined, `${OPEN}/feedback`, { signal, query: { kind: 'data_request', status: filter === 'all' ? undefined : filter, ...paging.query } }),
    [filter, paging.page, paging.pageSize],
  );
  return (
    <div className="content-narrow" style={{ paddingBlock: 24 }}>
      <h1 className="page-title">需求征集</h1>
      <Row gutter={24}>
        <Col xs={24} lg={15}>
          <Card
            title="公众数据需求与答复"
            extra={
              <Segmented
                aria-label="按答复状态筛选"
                value={filter}
                onChange={(v) => paging.setFilter({ status: v === 'all' ? undefined : String(v) })}
                options={[
                  { value: 'all', label: '全部' },
                  { value: 'answered', label: '已答复' },
                  { value: 'open', label: '待答复' },
                ]}
              />
            }
          >
            <PageState loading={list.loading} error={list.error} data={list.data} onRetry={list.reload}>
              {(d) => (
                <List<OpenFeedback>
                  data-testid="data-requests"
                  dataSource={d.items}
                  loading={list.loading}
                  locale={{ emptyText: <Empty description={filter === 'all' ? '还没有数据需求，欢迎提出第一个' : '没有符合条件的需求'} /> }}
                  pagination={paging.pagination(d.total)}
                  renderItem={(f) => (
                    <List.Item>
                      <article aria-label={f.title} style={{ width: '100%' }}>
                        <Space wrap style={{ marginBottom: 4 }}>
                          <Typography.Text strong>{f.title}</Typography.Text>
                          {f.status === 'answered' ? <Tag color="success">已答复</Tag> : <Tag color={f.overdue ? 'error' : 'processing'}>{f.overdue ? '答复超期' : `待答复（${f.dueOn} 前）`}</Tag>}
                          <Typography.Text type="secondary">{f.createdAt.slice(0, 10)}</Typography.Text>
                        </Space>
                        <Typography.Paragraph style={{ marginBottom: f.answer ? 8 : 0 }}>{f.body}</Typography.Paragraph>
                        {f.answer && <Alert type="success" showIcon title={`数据局答复（${f.answeredAt?.slice(0, 10) ?? ''}）`} description={f.answer} />}
                      </article>
                    </List.Item>
                  )}
                />
              )}
            </PageState>
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          <RequestForm signedIn={!!session} onSent={() => (paging.page === 1 ? list.reload() : paging.setPage(1))} />
        </Col>
      </Row>
    </div>
  );
}

function RequestForm({ signedIn, onSent }: { signedIn: boolean; onSent: () => void }) {
  const { message } = App.useApp();
  const session = useDevSession();
  const [form] = Form.useForm();
  const { busy, error, run } = useSubmit();
  const submit = async (v: { title: string; body: string }) => {
    await run(async () => {
      const r = await devApi<OpenFeedback>(session, `${OPEN}/feedback`, { body: { kind: 'data_request', ...v } });
      message.success(`需求已提交，数据局将在 ${r.dueOn} 前公开答复`);
      form.resetFields();
      onSent();
    });
  };
  return (
    <Card title="提出数据需求">
      {error ? <ProblemAlert error={error} /> : null}
      <Typography.Paragraph type="secondary">
        {signedIn ? '以开发者身份提交。' : <>可匿名提交；<Link to="/developer">登录开发者账号</Link>后提交便于跟进。</>}答复将在本页公开。
      </Typography.Paragraph>
      <Form form={form} name="dataRequest" layout="vertical" onFinish={submit} aria-label="提出数据需求">
        <Form.Item label="需求标题" name="title" rules={[{ required: true, min: 2, max: 200, message: '请填写 2–200 字的标题' }]}>
          <Input placeholder="如：开放全市停车场实时泊位数据" />
        </Form.Item>
        <Form.Item label="需求说明" name="body" rules={[{ required: true, min: 5, max: 4000, message: '请说明需要的数据、字段和用途（至少 5 个字）' }]}>
          <Input.TextArea rows={5} placeholder="需要哪些数据项、更新频率、用途" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block>
          提交需求
        </Button>
      </Form>
    </Card>
  );
}
