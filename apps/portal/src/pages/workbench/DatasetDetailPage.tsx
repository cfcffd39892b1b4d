import { CloudUploadOutlined, DownloadOutlined } from '@ant-design/icons';
import { Alert, App, Breadcrumb, Button, Card, Descriptions, Empty, Progress, Space, Table, Tabs, Tag, Typography, Upload } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useAuth } from '../../api/auth';
import { api, download, streamEvents } from '../../api/client';
import type { DatasetView, JobView, VersionView } from '../../api/types';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useAsync } from '../../components/useAsync';
import { DATA_ITEM_TYPES, JOB_STATE, UPDATE_CYCLES, label } from '../../standard';
import { Quality, QualityReport } from './QualityReport';
import { resumableUpload } from './upload';

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`);

/** 数据集: upload (resumable, with progress), jobs, versions with reject files, quality report, preview. */
export default function DatasetDetailPage() {
  const { id } = useParams();
  const ds = useAsync((signal) => api<DatasetView>(`/api/ingest/datasets/${id}`, { signal }), [id]);
  return (
    <div>
      <Breadcrumb items={[{ title: <Link to="/workbench/datasets">数据归集</Link> }, { title: ds.data?.name ?? '数据集' }]} style={{ marginBottom: 12 }} />
      <PageState loading={ds.loading} error={ds.error} data={ds.data} onRetry={ds.reload}>
        {(d) => <Dataset ds={d} onChanged={ds.reload} />}
      </PageState>
    </div>
  );
}

function Dataset({ ds, onChanged }: { ds: DatasetView; onChanged: () => void }) {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'upload';
  const [refresh, setRefresh] = useState(0);
  const { hasRole } = useAuth();
  const canUpload = hasRole('dept_operator', 'dept_reviewer', 'data_admin') && !ds.retired;

  return (
    <div style={{ display: 'grid', gap: 16 }}>
      <Card>
        <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
          <h1 className="page-title" style={{ margin: 0 }}>
            {ds.name}
          </h1>
          <Space>
            <Tag>资源代码 {ds.resourceCode}</Tag>
            <Tag>{label(UPDATE_CYCLES, ds.updateCycle)}更新</Tag>
            {ds.currentVersion ? <Tag color="success">当前版本 v{ds.currentVersion}</Tag> : <Tag color="warning">尚未归集</Tag>}
            {ds.overdueSince && <Tag color="error">自 {ds.overdueSince.slice(0, 10)} 更新超期</Tag>}
          </Space>
        </Space>
        <Typography.Text type="secondary">
          信息项：{ds.items.map((i) => `${i.name}（${label(DATA_ITEM_TYPES, i.dataType)}）`).join('、')}
        </Typography.Text>
      </Card>
      <Card>
        <Tabs
          activeKey={tab}
          onChange={(k) => setParams({ tab: k })}
          items={[
            {
              key: 'upload',
              label: '上传数据',
              children: canUpload ? (
                <Uploader
                  ds={ds}
                  onFinished={(job) => {
                    setRefresh((r) => r + 1);
                    onChanged();
                    if (job.state === 'succeeded') setParams({ tab: 'quality' });
                  }}
                />
              ) : (
                <Empty description="当前账号不能向此数据集上传" />
              ),
            },
            { key: 'jobs', label: '归集任务', children: <Jobs datasetId={ds.id} refresh={refresh} /> },
            { key: 'versions', label: '版本与问题数据', children: <Versions ds={ds} refresh={refresh} /> },
            { key: 'quality', label: '质量报告', children: <QualityTab datasetId={ds.id} refresh={refresh} /> },
            { key: 'preview', label: '数据预览', children: <Preview datasetId={ds.id} refresh={refresh} /> },
          ]}
        />
      </Card>
    </div>
  );
}

function Uploader({ ds, onFinished }: { ds: DatasetView; onFinished: (job: JobView) => void }) {
  const { message } = App.useApp();
  const [file, setFile] = useState<File>();
  const [sent, setSent] = useState<{ sent: number; total: number }>();
  const [job, setJob] = useState<JobView>();
  const [error, setError] = useState<unknown>();
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController>(undefined);
  useEffect(() => () => abort.current?.abort(), []);

  const start = async () => {
    if (!file) return;
    const ctl = new AbortController();
    abort.current = ctl;
    setRunning(true);
    setError(undefined);
    setJob(undefined);
    try {
      const session = await resumableUpload(ds.id, file, (s, t) => setSent({ sent: s, total: t }), ctl.signal);
      if (!session.jobId) throw new Error('上传完成但未创建归集任务');
      let last: JobView | undefined;
      await streamEvents(
        `/api/ingest/jobs/${session.jobId}/events`,
        (_event, data) => {
          last = JSON.parse(data) as JobView;
          setJob(last);
        },
        ctl.signal,
      );
      if (last) {
        onFinished(last);
        if (last.state === 'succeeded') message.success(`归集完成：生成版本 v${last.version}`);
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') setError(e);
    } finally {
      setRunning(false);
    }
  };

  const pause = () => abort.current?.abort();
  const uploadPct = sent ? Math.floor((sent.sent / Math.max(1, sent.total)) * 100) : 0;
  const state = job ? JOB_STATE[job.state] : undefined;

  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <Alert
        type="info"
        showIcon
        title="支持 CSV（UTF-8、GBK、GB18030，任意分隔符）、XLSX、JSON、NDJSON。大文件分片上传，中断后重新选择同一文件即可从断点继续。"
      />
      <Upload.Dragger
        maxCount={1}
        accept=".csv,.txt,.xlsx,.json,.ndjson"
        beforeUpload={(f) => {
          setFile(f);
          setSent(undefined);
          setJob(undefined);
          setError(undefined);
          return false;
        }}
        fileList={file ? [{ uid: '1', name: `${file.name}（${size(file.size)}）`, status: 'done' }] : []}
        onRemove={() => setFile(undefined)}
        disabled={running}
        data-testid="dataset-file"
      >
        <p className="ant-upload-drag-icon">
          <CloudUploadOutlined />
        </p>
        <p className="ant-upload-text">点击或将数据文件拖到此处</p>
      </Upload.Dragger>
      <Space>
        <Button type="primary" onClick={start} disabled={!file || running} loading={running} data-testid="start-upload">
          开始上传并归集
        </Button>
        {running && !job && <Button onClick={pause}>暂停上传</Button>}
      </Space>
      {sent && (
        <div>
          <Typography.Text>
            上传进度 {size(sent.sent)} / {size(sent.total)}
          </Typography.Text>
          <Progress percent={uploadPct} status={uploadPct === 100 ? 'success' : 'active'} aria-label="上传进度" />
        </div>
      )}
      {job && (
        <Card size="small" title={<Space>归集任务 {state && <Tag color={state.color} data-testid="job-state">{state.label}</Tag>}</Space>} data-testid="job-progress">
          <Progress percent={job.percent ?? 0} status={job.state === 'failed' ? 'exception' : job.state === 'succeeded' ? 'success' : 'active'} aria-label="归集进度" />
          <Descriptions size="small" column={4}>
            <Descriptions.Item label="已读取">{job.rowsRead} 行</Descriptions.Item>
            <Descriptions.Item label="问题行">{job.rowsRejected} 行</Descriptions.Item>
            <Descriptions.Item label="已处理">{size(job.bytesRead)}</Descriptions.Item>
            <Descriptions.Item label="版本">{job.version ? `v${job.version}` : '—'}</Descriptions.Item>
          </Descriptions>
          {job.error && <Alert type="error" showIcon title={job.error.zh} description={<Typography.Text code>{job.error.code}</Typography.Text>} />}
        </Card>
      )}
      {error ? <ProblemAlert error={error} title="上传失败" /> : null}
    </Space>
  );
}

function Jobs({ datasetId, refresh }: { datasetId: string; refresh: number }) {
  const jobs = useAsync((signal) => api<JobView[]>(`/api/ingest/datasets/${datasetId}/jobs`, { signal }), [datasetId, refresh]);
  return (
    <>
      {jobs.error ? <ProblemAlert error={jobs.error} onRetry={jobs.reload} /> : null}
      <Table<JobView>
        rowKey="id"
        size="small"
        loading={jobs.loading}
        dataSource={jobs.data ?? []}
        locale={{ emptyText: '暂无归集任务' }}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        columns={[
          { title: '时间', dataIndex: 'createdAt', width: 170, render: (t: string) => new Date(t).toLocaleString('zh-CN') },
          { title: '来源', render: (_: unknown, j) => `${j.kind === 'upload' ? '上传' : j.kind} · ${j.source?.fileName ?? '—'}` },
          { title: '状态', dataIndex: 'state', width: 90, render: (s: JobView['state']) => <Tag color={JOB_STATE[s].color}>{JOB_STATE[s].label}</Tag> },
          { title: '进度', width: 160, render: (_: unknown, j) => <Progress percent={j.percent ?? 0} size="small" status={j.state === 'failed' ? 'exception' : undefined} /> },
          { title: '读取 / 问题行', width: 120, render: (_: unknown, j) => `${j.rowsRead} / ${j.rowsRejected}` },
          { title: '版本', dataIndex: 'version', width: 70, render: (v: number | null) => (v ? `v${v}` : '—') },
          { title: '说明', render: (_: unknown, j) => j.error?.zh ?? '—' },
        ]}
      />
    </>
  );
}

const VERSION_STATUS: Record<string, { label: string; color: string }> = {
  current: { label: '当前版本', color: 'success' },
  superseded: { label: '历史版本', color: 'default' },
  failed: { label: '未通过', color: 'error' },
  loading: { label: '加载中', color: 'processing' },
};

function Versions({ ds, refresh }: { ds: DatasetView; refresh: number }) {
  const versions = useAsync((signal) => api<VersionView[]>(`/api/ingest/datasets/${ds.id}/versions`, { signal }), [ds.id, refresh]);
  const [error, setError] = useState<unknown>();
  const rejects = async (v: number) => {
    setError(undefined);
    try {
      await download(`/api/ingest/datasets/${ds.id}/versions/${v}/rejects`, `${ds.name}-问题数据-v${v}.csv`);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <>
      {versions.error || error ? <ProblemAlert error={versions.error ?? error} onRetry={versions.reload} /> : null}
      <Table<VersionView>
        rowKey="version"
        size="small"
        loading={versions.loading}
        dataSource={versions.data ?? []}
        locale={{ emptyText: '暂无版本：上传数据文件后生成' }}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        data-testid="versions"
        columns={[
          { title: '版本', dataIndex: 'version', width: 70, render: (v: number) => `v${v}` },
          { title: '状态', dataIndex: 'status', width: 100, render: (s: string) => <Tag color={VERSION_STATUS[s]?.color}>{VERSION_STATUS[s]?.label ?? s}</Tag> },
          { title: '文件', render: (_: unknown, v) => `${v.source?.fileName ?? '—'}${v.source?.encoding ? `（${v.source.encoding.toUpperCase()}）` : ''}` },
          { title: '入库行', dataIndex: 'rowCount', width: 80 },
          { title: '问题行', dataIndex: 'rejectedCount', width: 80 },
          { title: '质量', width: 90, render: (_: unknown, v) => (v.quality ? `${(v.quality as unknown as Quality).score} ${(v.quality as unknown as Quality).grade}` : '—') },
          { title: '完成时间', dataIndex: 'completedAt', width: 170, render: (t: string | null) => (t ? new Date(t).toLocaleString('zh-CN') : '—') },
          { title: '说明', render: (_: unknown, v) => v.error?.zh ?? '' },
          {
            title: '问题数据',
            width: 120,
            render: (_: unknown, v) =>
              v.rejectObject ? (
                <Button size="small" icon={<DownloadOutlined />} onClick={() => rejects(v.version)} aria-label={`下载 v${v.version} 问题数据文件`}>
                  下载
                </Button>
              ) : (
                '—'
              ),
          },
        ]}
      />
    </>
  );
}

function QualityTab({ datasetId, refresh }: { datasetId: string; refresh: number }) {
  const q = useAsync((signal) => api<{ version: number; status: string; quality: Quality | null }[]>(`/api/ingest/datasets/${datasetId}/quality`, { signal }), [datasetId, refresh]);
  return (
    <PageState loading={q.loading} error={q.error} data={q.data} onRetry={q.reload} isEmpty={(d) => !d.some((x) => x.quality)} empty={<Empty description="暂无质量报告：数据归集成功后生成" />}>
      {(d) => {
        const latest = d.find((x) => x.quality)!;
        return (
          <div>
            <Typography.Paragraph type="secondary">第 {latest.version} 版的质量报告</Typography.Paragraph>
            <QualityReport q={latest.quality!} />
          </div>
        );
      }}
    </PageState>
  );
}

function Preview({ datasetId, refresh }: { datasetId: string; refresh: number }) {
  const [page, setPage] = useState(1);
  const rows = useAsync(
    (signal) => api<{ version: number; total: number; columns: { name: string; type: string }[]; rows: Record<string, unknown>[] }>(`/api/ingest/datasets/${datasetId}/rows`, { signal, query: { page, pageSize: 20 } }),
    [datasetId, page, refresh],
  );
  if (rows.error) return <ProblemAlert error={rows.error} title="无法预览" onRetry={rows.reload} />;
  return (
    <>
      <Typography.Paragraph type="secondary">每次预览都会记入审计日志。按页从服务器读取，每页 20 行。</Typography.Paragraph>
      <Table
        size="small"
        rowKey="_row"
        loading={rows.loading}
        scroll={{ x: true }}
        dataSource={rows.data?.rows ?? []}
        columns={[{ title: '行号', dataIndex: '_row', width: 70 }, ...(rows.data?.columns ?? []).map((c) => ({ title: c.name, dataIndex: c.name, render: (v: unknown) => (v == null ? <Typography.Text type="secondary">空</Typography.Text> : String(v)) }))]}
        pagination={{ current: page, pageSize: 20, total: rows.data?.total ?? 0, onChange: setPage, showSizeChanger: false, showTotal: (t) => `共 ${t} 行（v${rows.data?.version ?? ''}）` }}
      />
    </>
  );
}
