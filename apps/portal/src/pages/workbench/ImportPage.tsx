import { DownloadOutlined, InboxOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Result, Space, Steps, Table, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { ApiError, api, download, FieldProblem } from '../../api/client';
import type { ImportPreviewRow, ImportResult } from '../../api/types';
import { ProblemAlert } from '../../components/ProblemAlert';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * 目录确认表导入: download the template (drop-downs for every enumeration), fill it in Excel,
 * check it (nothing saved; every problem reported on its cell), then import all rows or none.
 */
export default function ImportPage() {
  const { message } = App.useApp();
  const [file, setFile] = useState<File>();
  const [busy, setBusy] = useState<'check' | 'import'>();
  const [preview, setPreview] = useState<ImportResult>();
  const [done, setDone] = useState<ImportResult>();
  const [error, setError] = useState<unknown>();

  const send = async (dryRun: boolean) => {
    if (!file) return;
    setBusy(dryRun ? 'check' : 'import');
    setError(undefined);
    try {
      const result = await api<ImportResult>('/api/catalog/imports', { query: { dryRun }, body: file, headers: { 'content-type': XLSX } });
      if (dryRun) setPreview(result);
      else {
        setDone(result);
        message.success(`已导入 ${result.created.length + result.changed.length} 条目录草稿`);
      }
    } catch (e) {
      setPreview(undefined);
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };

  const reset = () => {
    setFile(undefined);
    setPreview(undefined);
    setDone(undefined);
    setError(undefined);
  };

  const rowErrors: FieldProblem[] = error instanceof ApiError ? (error.problem.errors ?? []) : [];
  const step = done ? 3 : preview ? 2 : file ? 1 : 0;

  return (
    <div>
      <h1 className="page-title">目录确认表导入</h1>
      <Card>
        <Steps current={step} style={{ marginBottom: 24 }} items={[{ title: '下载模板' }, { title: '选择文件' }, { title: '校验预览' }, { title: '导入完成' }]} />
        {done ? (
          <Result
            status="success"
            title={`导入成功：新建 ${done.created.length} 条，变更 ${done.changed.length} 条`}
            subTitle="导入的目录为草稿，检查无误后逐条提交数据局审核。"
            extra={
              <Space>
                <Link to="/workbench/catalog?status=draft">
                  <Button type="primary">查看草稿</Button>
                </Link>
                <Button onClick={reset}>继续导入</Button>
              </Space>
            }
          >
            <ul data-testid="import-created">
              {done.preview.map((r) => (
                <li key={r.row}>
                  第 {r.row} 行 · {r.name}
                </li>
              ))}
            </ul>
          </Result>
        ) : (
          <Space direction="vertical" style={{ width: '100%' }} size="large">
            <Alert
              type="info"
              showIcon
              title="模板包含全部核心元数据列，枚举列带下拉选项；一行一个信息资源，信息项写在“信息项”工作表。整表校验通过才会保存。"
              action={
                <Button icon={<DownloadOutlined />} onClick={() => download('/api/catalog/workbook/template', '目录确认表.xlsx')}>
                  下载目录确认表模板
                </Button>
              }
            />
            <Upload.Dragger
              accept=".xlsx"
              maxCount={1}
              beforeUpload={(f) => {
                setFile(f);
                setPreview(undefined);
                setError(undefined);
                return false;
              }}
              onRemove={() => reset()}
              fileList={file ? [{ uid: '1', name: file.name, status: 'done', size: file.size }] : []}
              aria-label="选择目录确认表文件"
              data-testid="import-file"
            >
              <p className="ant-upload-drag-icon">
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">点击或将填好的目录确认表（.xlsx）拖到此处</p>
              <p className="ant-upload-hint">文件仅在本页校验与导入时上传</p>
            </Upload.Dragger>
            <Space>
              <Button onClick={() => send(true)} disabled={!file} loading={busy === 'check'} data-testid="import-check">
                校验预览
              </Button>
              <Button type="primary" onClick={() => send(false)} disabled={!preview || !!busy} loading={busy === 'import'} data-testid="import-confirm">
                确认导入
              </Button>
            </Space>
            {error ? <ProblemAlert error={rowErrors.length ? new ApiError({ ...(error as ApiError).problem, errors: [] }) : error} title="校验未通过" /> : null}
            {rowErrors.length > 0 && (
              <Table<FieldProblem>
                size="small"
                rowKey={(p, i) => `${p.sheet}${p.row}${p.column}${i}`}
                dataSource={rowErrors}
                pagination={{ pageSize: 20, hideOnSinglePage: true }}
                data-testid="import-errors"
                columns={[
                  { title: '工作表', dataIndex: 'sheet', width: 110 },
                  { title: '行', dataIndex: 'row', width: 60 },
                  { title: '列', dataIndex: 'column', width: 60 },
                  { title: '字段', dataIndex: 'header', width: 140 },
                  { title: '问题', dataIndex: 'zh' },
                ]}
              />
            )}
            {preview && <PreviewTable preview={preview} />}
          </Space>
        )}
      </Card>
    </div>
  );
}

function PreviewTable({ preview }: { preview: ImportResult }) {
  const ACTIONS = { create: { label: '新建', color: 'green' }, change: { label: '变更', color: 'blue' }, unchanged: { label: '无变化', color: 'default' } } as const;
  return (
    <div data-testid="import-preview">
      <Alert type="success" showIcon title={`校验通过：共 ${preview.rows} 行，可以导入`} style={{ marginBottom: 12 }} />
      <Table<ImportPreviewRow>
        size="small"
        rowKey="row"
        dataSource={preview.preview}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: '行', dataIndex: 'row', width: 60 },
          { title: '信息资源名称', dataIndex: 'name' },
          { title: '操作', dataIndex: 'action', width: 90, render: (a: ImportPreviewRow['action']) => <Tag color={ACTIONS[a].color}>{ACTIONS[a].label}</Tag> },
          { title: '资源代码', dataIndex: 'resourceCode', width: 140 },
          {
            title: '提醒',
            dataIndex: 'warnings',
            render: (w: ImportPreviewRow['warnings']) => (w.length ? w.map((f) => <Typography.Text type="warning" key={f.field + f.code}>{f.zh}；</Typography.Text>) : '—'),
          },
        ]}
      />
    </div>
  );
}
