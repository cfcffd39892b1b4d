import { App, Button, Card, Col, Empty, Form, Input, List, Row, Select, Space, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { devApi, OPEN, ShowcaseApp, useDevSession } from '../../api/developer';
import type { OpenSearchResult } from '../../api/open';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useSubmit } from '../../components/useSubmit';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';

/** 应用展示: what developers built on the open data, and a form to add one (signed-in developers). */
export default function ShowcasePage() {
  const session = useDevSession();
  const paging = usePageParams('', 8);
  // Paged on the server: only the page shown is loaded.
  const list = useAsync((signal) => api<Paged<ShowcaseApp>>(`${OPEN}/showcase`, { signal, anonymous: true, query: paging.query }), [paging.page, paging.pageSize]);
  return (
    <div className="content-narrow" style={{ paddingBlock: 24 }}>
      <h1 className="page-title">应用展示</h1>
      <Row gutter={24}>
        <Col xs={24} lg={16}>
          <PageState loading={list.loading} error={list.error} data={list.data} onRetry={list.reload} isEmpty={(d) => d.total === 0} empty={<Card><Empty description="还没有应用成果，欢迎提交第一个" /></Card>}>
            {(apps) => (
              <List<ShowcaseApp>
                data-testid="showcase"
                grid={{ gutter: 16, xs: 1, md: 2 }}
                dataSource={apps.items}
                loading={list.loading}
                pagination={paging.pagination(apps.total)}
                renderItem={(a) => (
                  <List.Item>
                    <Card title={a.title} extra={a.url ? <a href={a.url} target="_blank" rel="noreferrer noopener" aria-label={`访问应用 ${a.title}（新窗口）`}>访问</a> : null}>
                      <Typography.Paragraph ellipsis={{ rows: 3, expandable: true, symbol: '展开' }}>{a.description}</Typography.Paragraph>
                      <Space wrap size={4}>
                        <Typography.Text type="secondary">{a.author} · {a.createdAt.slice(0, 10)} · 使用数据集：</Typography.Text>
                        {a.datasetIds.map((id) => (
                          <Link key={id} to={`/data/${id}`}>
                            <Tag>查看数据集</Tag>
                          </Link>
                        ))}
                      </Space>
                    </Card>
                  </List.Item>
                )}
              />
            )}
          </PageState>
        </Col>
        <Col xs={24} lg={8}>
          {session ? (
            <SubmitApp onSent={() => (paging.page === 1 ? list.reload() : paging.setPage(1))} />
          ) : (
            <Card title="提交应用成果">
              <Typography.Paragraph>
                提交应用需要开发者账号。请先在 <Link to="/developer">开发者中心</Link> 注册或登录。
              </Typography.Paragraph>
            </Card>
          )}
        </Col>
      </Row>
    </div>
  );
}

function SubmitApp({ onSent }: { onSent: () => void }) {
  const { message } = App.useApp();
  const session = useDevSession();
  const [form] = Form.useForm();
  const [q, setQ] = useState('');
  const { busy, error, run } = useSubmit();
  // Search the catalog on the server as the user types: never the whole catalog in the browser.
  const found = useAsync((signal) => api<OpenSearchResult>(`${OPEN}/datasets`, { signal, anonymous: true, query: { q, pageSize: 20 } }), [q]);
  const options = useMemo(() => (found.data?.items ?? []).map((d) => ({ value: d.id, label: `${d.name}（${d.department.name}）` })), [found.data]);
  const submit = async (v: { title: string; description: string; url?: string; datasetIds: string[] }) => {
    await run(async () => {
      await devApi(session, `${OPEN}/showcase`, { body: { ...v, url: v.url || undefined } });
      message.success('应用已发布到展示区');
      form.resetFields();
      onSent();
    });
  };
  return (
    <Card title="提交应用成果">
      {error ? <ProblemAlert error={error} /> : null}
      <Form form={form} name="showcase" layout="vertical" onFinish={submit} aria-label="提交应用成果">
        <Form.Item label="应用名称" name="title" rules={[{ required: true, min: 2, max: 200, message: '请填写应用名称（2–200 字）' }]}>
          <Input />
        </Form.Item>
        <Form.Item label="应用介绍" name="description" rules={[{ required: true, min: 10, max: 4000, message: '请介绍应用的功能和使用的数据（至少 10 个字）' }]}>
          <Input.TextArea rows={4} />
        </Form.Item>
        <Form.Item label="访问地址" name="url" rules={[{ type: 'url', message: '请填写 http(s):// 开头的地址' }]}>
          <Input placeholder="https://" inputMode="url" />
        </Form.Item>
        <Form.Item label="使用的数据集" name="datasetIds" rules={[{ required: true, message: '至少选择一个数据集' }]}>
          <Select mode="multiple" showSearch filterOption={false} onSearch={setQ} loading={found.loading} options={options} placeholder="输入名称检索开放数据集" notFoundContent={found.loading ? '检索中…' : '没有匹配的数据集'} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} block>
          提交应用
        </Button>
      </Form>
    </Card>
  );
}
