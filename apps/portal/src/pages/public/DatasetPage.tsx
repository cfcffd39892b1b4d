import { DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Breadcrumb, Button, Card, Col, Descriptions, Empty, Form, Input, List, Rate, Row, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../../api/client';
import { DevSession, devApi, OpenFeedback, ShowcaseApp, useDevSession } from '../../api/developer';
import type { CodeSamples, OpenDatasetPage } from '../../api/open';
import { barOption } from '../../components/chartOptions';
import { LazyChart } from '../../components/LazyChart';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useSubmit } from '../../components/useSubmit';
import { Paged, useAsync, usePageParams } from '../../components/useAsync';
import { DATA_ITEM_TYPES, label } from '../../standard';

/** 数据集页面 (public): metadata, data items, preview, a chart of a chosen column, downloads, API examples, ratings and comments. */
export default function DatasetPage() {
  const { id } = useParams();
  const d = useAsync((signal) => api<OpenDatasetPage>(`/api/open/v1/datasets/${id}`, { signal, anonymous: true }), [id]);
  return (
    <div className="content-narrow" style={{ paddingBlock: 24 }}>
      <Breadcrumb items={[{ title: <Link to="/">首页</Link> }, { title: <Link to="/data">开放数据目录</Link> }, { title: d.data?.name ?? '数据集' }]} style={{ marginBottom: 12 }} />
      <PageState loading={d.loading} error={d.error} data={d.data} onRetry={d.reload}>
        {(ds) => <Dataset d={ds} />}
      </PageState>
    </div>
  );
}

function Dataset({ d }: { d: OpenDatasetPage }) {
  const navigate = useNavigate();
  const [ratings, setRatings] = useState(d.ratings);
  return (
    <div style={{ display: 'grid', gap: 16 }}>
      <Card>
        <Space wrap style={{ marginBottom: 8 }}>
          <h1 className="page-title" style={{ margin: 0 }}>
            {d.name}
          </h1>
          <Tag color={d.openType.code === 'UNCONDITIONAL' ? 'green' : 'orange'}>{d.openType.label}</Tag>
          {d.domain && <Tag>{d.domain.label}</Tag>}
        </Space>
        <Typography.Paragraph>{d.abstract}</Typography.Paragraph>
        <Space wrap>
          {d.links.downloads.map((l) => (
            <Button key={l.format} icon={<DownloadOutlined />} href={l.url} disabled={!d.hasData} aria-label={`下载 ${l.format.toUpperCase()} 格式`}>
              {l.format.toUpperCase()}
            </Button>
          ))}
          {!d.hasData && <Typography.Text type="secondary">数据归集后可下载</Typography.Text>}
          {d.openType.code === 'CONDITIONAL' && (
            <Button type="primary" onClick={() => navigate(`/developer?apply=${d.id}`)}>
              申请使用（有条件开放）
            </Button>
          )}
        </Space>
      </Card>
      <Card>
        <Tabs
          items={[
            { key: 'meta', label: '数据信息', children: <Meta d={d} /> },
            { key: 'preview', label: '数据预览', children: <Preview d={d} /> },
            { key: 'api', label: '接口调用', children: <ApiTab d={d} /> },
            { key: 'rating', label: `评价与评论（${ratings.count}）`, children: <Ratings d={d} summary={ratings} onRated={setRatings} /> },
            { key: 'errors', label: '数据纠错', children: <ErrorReports d={d} /> },
            { key: 'apps', label: '相关应用', children: <RelatedApps d={d} /> },
          ]}
        />
      </Card>
    </div>
  );
}

function Meta({ d }: { d: OpenDatasetPage }) {
  return (
    <Row gutter={16}>
      <Col xs={24} lg={12}>
        <Descriptions column={1} size="small" bordered>
          <Descriptions.Item label="资源代码">{d.resourceCode}</Descriptions.Item>
          <Descriptions.Item label="提供部门">{d.department.name}</Descriptions.Item>
          <Descriptions.Item label="更新周期">{d.updateCycle?.label ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="发布日期">{d.publishedAt?.slice(0, 10) ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="最近更新">{d.lastUpdated?.slice(0, 10) ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="数据量">{d.hasData ? `${d.rows} 行（第 ${d.version} 版）` : '暂无数据'}</Descriptions.Item>
          <Descriptions.Item label="质量得分">{d.qualityScore ?? '—'}</Descriptions.Item>
          {d.openCondition && <Descriptions.Item label="开放条件">{d.openCondition}</Descriptions.Item>}
          <Descriptions.Item label="下载 / 调用">
            {d.downloads} / {d.apiCalls}
          </Descriptions.Item>
          <Descriptions.Item label="开放许可">{d.licence ?? '—'}</Descriptions.Item>
        </Descriptions>
      </Col>
      <Col xs={24} lg={12}>
        <Table
          size="small"
          rowKey="name"
          pagination={false}
          dataSource={d.items}
          columns={[
            { title: '信息项', dataIndex: 'name' },
            { title: '类型', dataIndex: 'dataType', render: (t: string | null) => label(DATA_ITEM_TYPES, t) },
            { title: '说明', dataIndex: 'description', render: (t: string | null) => t ?? '—' },
            { title: '', dataIndex: 'masked', width: 80, render: (m: boolean) => (m ? <Tag color="orange">已脱敏</Tag> : null) },
          ]}
        />
      </Col>
    </Row>
  );
}

function Preview({ d }: { d: OpenDatasetPage }) {
  const fields = d.preview.fields;
  // Default to the most categorical column (fewest distinct values, more than one): its chart says something.
  const [column, setColumn] = useState<string | undefined>(() => {
    const distinct = fields.map((f) => ({ name: f.name, n: new Set(d.preview.rows.map((r) => String(r[f.name] ?? ''))).size }));
    return (distinct.filter((x) => x.n > 1).sort((a, b) => a.n - b.n)[0] ?? distinct[0])?.name;
  });
  // Value counts of the chosen column over the preview rows (the page never loads the whole dataset).
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const r of d.preview.rows) {
      const v = r[column ?? ''];
      const k = v == null || v === '' ? '（空）' : String(v).slice(0, 20);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  }, [d.preview.rows, column]);
  if (!fields.length) return <Empty description="暂无可预览的数据" />;
  return (
    <div style={{ display: 'grid', gap: 16 }}>
      <Table size="small" rowKey={(_, i) => String(i)} scroll={{ x: true }} pagination={false} dataSource={d.preview.rows} columns={fields.map((f) => ({ title: f.name, dataIndex: f.name, render: (v: unknown) => (v == null ? '' : String(v)) }))} />
      <Card size="small" title="字段分布（预览数据）" extra={<Select value={column} onChange={setColumn} options={fields.map((f) => ({ value: f.name, label: f.name }))} style={{ width: 180 }} aria-label="选择图表字段" />}>
        <LazyChart label={`${column} 的取值分布`} height={260} option={barOption(counts.map((c) => c[0]), counts.map((c) => c[1]), { name: '行数', integer: true })} />
      </Card>
    </div>
  );
}

function ApiTab({ d }: { d: OpenDatasetPage }) {
  const ex = useAsync((signal) => api<CodeSamples>(`/api/open/v1/datasets/${d.id}/examples`, { signal, anonymous: true }), [d.id]);
  return (
    <div style={{ display: 'grid', gap: 12 }}>
      <Alert type="info" showIcon title={<span>接口调用需要密钥：在 <Link to="/developer">开发者中心</Link> 注册并创建应用。OpenAPI 文档：<a href={d.links.openapi}>openapi.json</a></span>} />
      <PageState loading={ex.loading} error={ex.error} data={ex.data}>
        {(s) => (
          <>
            {(['curl', 'javascript', 'python', 'download'] as const).map((k) => (
              <Card key={k} size="small" title={{ curl: 'curl', javascript: 'JavaScript', python: 'Python', download: '下载（curl）' }[k]}>
                <Typography.Paragraph copyable={{ text: s[k] }} style={{ marginBottom: 0 }}>
                  <pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>{s[k]}</pre>
                </Typography.Paragraph>
              </Card>
            ))}
          </>
        )}
      </PageState>
    </div>
  );
}

function Ratings({ d, summary, onRated }: { d: OpenDatasetPage; summary: OpenDatasetPage['ratings']; onRated: (r: OpenDatasetPage['ratings']) => void }) {
  const session = useDevSession();
  // Each list on this page is paged on the server, its page in the URL (?cpage= comments, ?rpage= error reports, ?apage= apps).
  const paging = usePageParams('c', 10);
  const comments = useAsync(
    (signal) => api<Paged<{ id: string; body: string; createdAt: string; author: string }>>(`/api/open/v1/datasets/${d.id}/comments`, { signal, anonymous: true, query: paging.query }),
    [d.id, paging.page, paging.pageSize],
  );
  const r = summary;
  return (
    <Row gutter={24}>
      <Col xs={24} md={9}>
        <Descriptions column={1} size="small" data-testid="rating-summary">
          <Descriptions.Item label="综合">
            <Rate disabled allowHalf value={r.average ?? 0} aria-label={`综合评分 ${r.average ?? '暂无'}`} /> {r.count} 人评价
          </Descriptions.Item>
          {DIMENSIONS.map(([k, label]) => (
            <Descriptions.Item key={k} label={label}>
              {r[k] ?? '—'}
            </Descriptions.Item>
          ))}
        </Descriptions>
        {session ? <RateForm d={d} session={session} onRated={onRated} /> : <SignInHint what="评分、评论" />}
      </Col>
      <Col xs={24} md={15}>
        {session && <CommentForm d={d} session={session} onPosted={() => (paging.page === 1 ? comments.reload() : paging.setPage(1))} />}
        <PageState loading={comments.loading} error={comments.error} data={comments.data} onRetry={comments.reload}>
          {(list) => (
            <List
              data-testid="comments"
              dataSource={list.items}
              loading={comments.loading}
              locale={{ emptyText: '暂无评论' }}
              pagination={paging.pagination(list.total)}
              renderItem={(c) => (
                <List.Item>
                  <List.Item.Meta title={c.author} description={c.createdAt.slice(0, 10)} />
                  {c.body}
                </List.Item>
              )}
            />
          )}
        </PageState>
      </Col>
    </Row>
  );
}

const DIMENSIONS = [
  ['usability', '易用性'],
  ['completeness', '完整性'],
  ['accuracy', '准确性'],
  ['timeliness', '及时性'],
] as const;

function SignInHint({ what }: { what: string }) {
  return (
    <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
      {what}需登录开发者账号：<Link to="/developer">前往开发者中心</Link>
    </Typography.Paragraph>
  );
}

function RateForm({ d, session, onRated }: { d: OpenDatasetPage; session: DevSession; onRated: (r: OpenDatasetPage['ratings']) => void }) {
  const { message } = App.useApp();
  const { busy, error, run } = useSubmit();
  const submit = async (v: Record<string, number>) => {
    await run(async () => {
      onRated(await devApi<OpenDatasetPage['ratings']>(session, `/api/open/v1/datasets/${d.id}/ratings`, { body: v }));
      message.success('感谢评价');
    });
  };
  return (
    <Card size="small" title="我的评分" style={{ marginTop: 12 }}>
      {error ? <ProblemAlert error={error} /> : null}
      <Form name="rating" layout="horizontal" labelCol={{ span: 8 }} onFinish={submit} aria-label="数据集评分">
        {DIMENSIONS.map(([k, label]) => (
          <Form.Item key={k} label={label} name={k} rules={[{ required: true, message: `请为${label}打分` }]} style={{ marginBottom: 8 }}>
            <Rate aria-label={`${label}评分（1–5 星）`} />
          </Form.Item>
        ))}
        <Button type="primary" htmlType="submit" loading={busy} block>
          提交评分
        </Button>
      </Form>
    </Card>
  );
}

function CommentForm({ d, session, onPosted }: { d: OpenDatasetPage; session: DevSession; onPosted: () => void }) {
  const [form] = Form.useForm();
  const { busy, error, run } = useSubmit();
  const submit = async (v: { body: string }) => {
    await run(async () => {
      await devApi(session, `/api/open/v1/datasets/${d.id}/comments`, { body: v });
      form.resetFields();
      onPosted();
    });
  };
  return (
    <Form form={form} name="comment" layout="vertical" onFinish={submit} aria-label="发表评论">
      {error ? <ProblemAlert error={error} /> : null}
      <Form.Item label="发表评论" name="body" rules={[{ required: true, min: 2, max: 2000, message: '请填写 2–2000 字的评论' }]} style={{ marginBottom: 8 }}>
        <Input.TextArea rows={3} placeholder="使用体验、建议" />
      </Form.Item>
      <Button htmlType="submit" loading={busy}>
        发表
      </Button>
    </Form>
  );
}

/** 数据纠错: reports go to the providing department as a task with a public answer. */
function ErrorReports({ d }: { d: OpenDatasetPage }) {
  const { message } = App.useApp();
  const session = useDevSession();
  const paging = usePageParams('r', 10);
  const list = useAsync(
    (signal) => api<Paged<OpenFeedback>>(`/api/open/v1/feedback`, { signal, anonymous: true, query: { kind: 'error_report', datasetId: d.id, ...paging.query } }),
    [d.id, paging.page, paging.pageSize],
  );
  const [form] = Form.useForm();
  const { busy, error, run } = useSubmit();
  const submit = async (v: { title: string; body: string }) => {
    await run(async () => {
      const r = await devApi<OpenFeedback>(session, `/api/open/v1/feedback`, { body: { kind: 'error_report', datasetId: d.id, ...v } });
      message.success(`已提交，${d.department.name}将在 ${r.dueOn} 前处理并公开答复`);
      form.resetFields();
      if (paging.page === 1) list.reload();
      else paging.setPage(1);
    });
  };
  return (
    <Row gutter={24}>
      <Col xs={24} md={10}>
        {error ? <ProblemAlert error={error} /> : null}
        <Form form={form} name="errorReport" layout="vertical" onFinish={submit} aria-label="数据纠错">
          <Form.Item label="问题概述" name="title" rules={[{ required: true, min: 2, max: 200, message: '请概述问题（2–200 字）' }]}>
            <Input placeholder="如：第 12 行成立日期有误" />
          </Form.Item>
          <Form.Item label="问题详情" name="body" rules={[{ required: true, min: 5, max: 4000, message: '请说明哪一行、哪个字段、正确的值（至少 5 个字）' }]}>
            <Input.TextArea rows={4} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            提交纠错
          </Button>
        </Form>
      </Col>
      <Col xs={24} md={14}>
        <PageState loading={list.loading} error={list.error} data={list.data} onRetry={list.reload}>
          {(page) => (
            <List<OpenFeedback>
              data-testid="error-reports"
              dataSource={page.items}
              loading={list.loading}
              locale={{ emptyText: '暂无纠错' }}
              pagination={paging.pagination(page.total)}
              renderItem={(f) => (
                <List.Item>
                  <List.Item.Meta
                    title={
                      <Space wrap>
                        {f.title}
                        {f.status === 'answered' ? <Tag color="success">已答复</Tag> : <Tag color={f.overdue ? 'error' : 'processing'}>{f.overdue ? '处理超期' : `处理中（${f.dueOn} 前）`}</Tag>}
                      </Space>
                    }
                    description={
                      <>
                        <div>{f.body}</div>
                        {f.answer && <div style={{ color: '#389e0d' }}>答复：{f.answer}</div>}
                      </>
                    }
                  />
                </List.Item>
              )}
            />
          )}
        </PageState>
      </Col>
    </Row>
  );
}

/** 应用展示 entries built on this dataset. */
function RelatedApps({ d }: { d: OpenDatasetPage }) {
  const paging = usePageParams('a', 10);
  const apps = useAsync((signal) => api<Paged<ShowcaseApp>>(`/api/open/v1/showcase`, { signal, anonymous: true, query: { datasetId: d.id, ...paging.query } }), [d.id, paging.page, paging.pageSize]);
  return (
    <PageState loading={apps.loading} error={apps.error} data={apps.data} onRetry={apps.reload} isEmpty={(x) => x.total === 0} empty={<Empty description={<>还没有基于该数据集的应用，<Link to="/showcase">提交你的应用</Link></>} />}>
      {(list) => (
        <List<ShowcaseApp>
          dataSource={list.items}
          loading={apps.loading}
          pagination={paging.pagination(list.total)}
          renderItem={(a) => (
            <List.Item extra={a.url ? <a href={a.url} target="_blank" rel="noreferrer noopener" aria-label={`访问应用 ${a.title}（新窗口）`}>访问</a> : null}>
              <List.Item.Meta title={a.title} description={`${a.author} · ${a.createdAt.slice(0, 10)}`} />
              {a.description}
            </List.Item>
          )}
        />
      )}
    </PageState>
  );
}
