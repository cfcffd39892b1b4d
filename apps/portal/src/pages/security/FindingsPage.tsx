import { Alert, App, Button, Card, Form, Input, Modal, Radio, Space, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { useAuth } from '../../api/auth';
import { api } from '../../api/client';
import { CAN_DECIDE, CAN_JUSTIFY, FINDING_STATUS, FindingStatus, ListPage, SECURITY_API, SECURITY_READERS, SensitiveFinding } from '../../api/security';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useAsync } from '../../components/useAsync';
import { useDepartments } from '../bureau/useDepartments';
import { DATE_FIELDS, ExportButton, FilterBar, fmtTime, PagedTable, useListParams } from './SecurityList';

const KEYS = ['deptId', 'status', 'from', 'to'] as const;

export const STATUS_OPTIONS = (Object.keys(FINDING_STATUS) as FindingStatus[]).map((s) => ({ value: s, label: FINDING_STATUS[s].label }));

export function FindingStatusTag({ status }: { status: FindingStatus }) {
  return <Tag color={FINDING_STATUS[status]?.color}>{FINDING_STATUS[status]?.label ?? status}</Tag>;
}

/**
 * 敏感数据发现: findings of every dataset's current version the caller may see (the officer, the
 * bureau and auditors: all departments; a department: its own), by default those still withholding
 * open output. Departments explain (说明理由), the data bureau decides; everyone opens the dataset.
 */
export default function FindingsPage() {
  const { hasRole } = useAuth();
  const departments = useDepartments();
  const { page, pageSize, filters, set } = useListParams(KEYS);
  const list = useAsync(
    (signal) => api<ListPage<SensitiveFinding>>(SECURITY_API.findings, { signal, query: { ...filters, page, pageSize } }),
    [JSON.stringify(filters), page, pageSize],
  );
  const [acting, setActing] = useState<{ finding: SensitiveFinding; action: 'justify' | 'decide' }>();
  const canJustify = hasRole(...CAN_JUSTIFY);
  const canDecide = hasRole(...CAN_DECIDE);

  return (
    <div>
      <h1 className="page-title">敏感数据发现</h1>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        title="归集时逐列核查身份证号、手机号、银行卡号等个人信息；未在目录中标注为个人信息的列阻止开放和无条件共享，直至补充标注，或提供部门说明理由且数据局接受。"
      />
      <Card>
        <FilterBar
          name="findingFilters"
          values={filters}
          onApply={(v) => set({ ...v, page: undefined })}
          fields={[
            { name: 'deptId', label: '部门', kind: 'dept' },
            { name: 'status', label: '状态', kind: 'select', options: STATUS_OPTIONS, placeholder: '待处理（阻止开放、待决定）' },
            ...DATE_FIELDS,
          ]}
          extra={hasRole(...SECURITY_READERS) && <ExportButton path={SECURITY_API.findingsExport} filters={filters} fileName="敏感数据发现.csv" />}
        />
        <PagedTable<SensitiveFinding>
          label="敏感数据发现列表"
          data-testid="sensitive-findings"
          rowKey="id"
          list={list}
          page={page}
          pageSize={pageSize}
          onPage={(p, s) => set({ page: p, pageSize: s })}
          empty={filters.status ? '没有符合条件的发现' : '没有待处理的敏感数据发现'}
          expandable={{
            rowExpandable: (f) => !!(f.justification || f.decisionComment || f.examples.length),
            expandedRowRender: (f) => (
              <Space direction="vertical" size={4}>
                {f.examples.length > 0 && (
                  <span>
                    样例形态（不含真实值）：
                    {f.examples.map((e) => (
                      <Typography.Text code key={e}>
                        {e}
                      </Typography.Text>
                    ))}
                  </span>
                )}
                {f.justification && <span>提供部门说明：{f.justification}</span>}
                {f.decisionComment && <span>数据局意见：{f.decisionComment}</span>}
              </Space>
            ),
          }}
          columns={[
            {
              title: '数据集',
              render: (_: unknown, f) => (
                <Link to={`/security/datasets/${f.datasetId}`} aria-label={`查看数据集 ${f.datasetName ?? f.datasetId} 的敏感数据发现`}>
                  {f.datasetName ?? f.datasetId.slice(0, 8)}
                </Link>
              ),
            },
            { title: '部门', dataIndex: 'deptId', width: 150, render: (d: string) => departments.name(d) },
            { title: '列', dataIndex: 'column', width: 120 },
            {
              title: '类型',
              width: 130,
              render: (_: unknown, f) => (
                <Space size={4}>
                  {f.kindLabel}
                  {f.embedded && (
                    <Tooltip title="在自由文本中夹带">
                      <Tag>夹带</Tag>
                    </Tooltip>
                  )}
                </Space>
              ),
            },
            { title: '命中', width: 130, render: (_: unknown, f) => `${f.matches} / ${f.scanned}（${(f.share * 100).toFixed(1)}%）` },
            { title: '版本', dataIndex: 'version', width: 60, render: (v: number) => `v${v}` },
            { title: '状态', dataIndex: 'status', width: 120, render: (s: FindingStatus) => <FindingStatusTag status={s} /> },
            { title: '发现时间', dataIndex: 'createdAt', width: 160, render: fmtTime },
            ...(canJustify || canDecide
              ? [
                  {
                    title: '操作',
                    width: 110,
                    render: (_: unknown, f: SensitiveFinding) => (
                      <Space>
                        {canJustify && f.blocking && (
                          <Button size="small" onClick={() => setActing({ finding: f, action: 'justify' })} aria-label={`为 ${f.column} 说明理由`}>
                            说明理由
                          </Button>
                        )}
                        {canDecide && f.status === 'justified' && (
                          <Button size="small" type="primary" onClick={() => setActing({ finding: f, action: 'decide' })} aria-label={`决定 ${f.column} 的说明`}>
                            决定
                          </Button>
                        )}
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>
      {acting && (
        <ActionModal
          finding={acting.finding}
          action={acting.action}
          onClose={(changed) => {
            setActing(undefined);
            if (changed) list.reload();
          }}
        />
      )}
    </div>
  );
}

/** 说明理由 (the providing department) or 决定 (the data bureau) on one finding. */
export function ActionModal({ finding, action, onClose }: { finding: SensitiveFinding; action: 'justify' | 'decide'; onClose: (changed: boolean) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (v: { reason?: string; accept?: boolean; comment?: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      if (action === 'justify') await api(SECURITY_API.justify(finding.id), { body: { reason: v.reason } });
      else await api(SECURITY_API.decide(finding.id), { body: { accept: v.accept, comment: v.comment } });
      message.success(action === 'justify' ? '已提交数据局决定' : v.accept ? '已接受说明，该列不再阻止开放' : '已驳回说明');
      onClose(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={`${action === 'justify' ? '说明理由' : '决定'}：${finding.datasetName ?? ''} · ${finding.column}（${finding.kindLabel}）`}
      okText="提交"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => form.submit()}
      onCancel={() => onClose(false)}
    >
      {error ? (
        <div style={{ marginBottom: 12 }}>
          <ProblemAlert error={error} />
        </div>
      ) : null}
      <Form form={form} layout="vertical" name={`finding-${action}`} onFinish={submit} aria-label={action === 'justify' ? '说明理由' : '决定'} initialValues={{ accept: true }}>
        {action === 'justify' ? (
          <Form.Item label="说明（为什么该列不是个人信息，或为什么必须不脱敏）" name="reason" rules={[{ required: true, min: 10, message: '至少 10 个字' }]}>
            <Input.TextArea rows={4} maxLength={2000} showCount />
          </Form.Item>
        ) : (
          <>
            {finding.justification && <Alert type="info" title={`提供部门说明：${finding.justification}`} style={{ marginBottom: 12 }} />}
            <Form.Item label="决定" name="accept">
              <Radio.Group
                options={[
                  { value: true, label: '接受说明（该列不再阻止开放）' },
                  { value: false, label: '驳回（继续阻止）' },
                ]}
              />
            </Form.Item>
            <Form.Item label="意见" name="comment" rules={[{ required: true, min: 2, message: '请填写意见' }]}>
              <Input.TextArea rows={3} maxLength={2000} />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}
