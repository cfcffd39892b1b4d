import { ReloadOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useAuth } from '../../api/auth';
import { api } from '../../api/client';
import { CAN_DECIDE, CAN_JUSTIFY, CAN_RESCAN, DatasetFindings, FindingStatus, SECURITY_API, SensitiveFinding } from '../../api/security';
import type { DatasetView } from '../../api/types';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useAsync } from '../../components/useAsync';
import { useDepartments } from '../bureau/useDepartments';
import { ActionModal, FindingStatusTag } from './FindingsPage';
import { fmtTime } from './SecurityList';

/** One dataset's findings (current version): which columns block open output, and a re-scan now. */
export default function DatasetFindingsPage() {
  const { id = '' } = useParams();
  const { hasRole } = useAuth();
  const { message } = App.useApp();
  const departments = useDepartments();
  const dataset = useAsync((signal) => api<DatasetView>(SECURITY_API.dataset(id), { signal }), [id]);
  const findings = useAsync((signal) => api<DatasetFindings>(SECURITY_API.datasetFindings(id), { signal }), [id]);
  const [scan, setScan] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  const [acting, setActing] = useState<{ finding: SensitiveFinding; action: 'justify' | 'decide' }>();

  const rescan = async () => {
    setScan({ busy: true });
    try {
      const r = await api<{ blockedColumns: string[] }>(SECURITY_API.rescan(id), { method: 'POST' });
      message.success(r.blockedColumns.length ? `核查完成：${r.blockedColumns.join('、')} 阻止开放` : '核查完成：没有阻止开放的列');
      setScan({ busy: false });
      findings.reload();
    } catch (e) {
      setScan({ busy: false, error: e });
    }
  };

  return (
    <div>
      <Space style={{ width: '100%', justifyContent: 'space-between', marginBottom: 16 }} wrap>
        <h1 className="page-title" style={{ margin: 0 }}>
          数据集敏感数据发现{dataset.data ? ` · ${dataset.data.name}` : ''}
        </h1>
        <Space>
          <Link to="/security/findings">返回发现列表</Link>
          {hasRole('dept_operator', 'dept_reviewer', 'data_admin') && <Link to={`/workbench/datasets/${id}`}>数据归集详情</Link>}
          {hasRole(...CAN_RESCAN) && (
            <Button icon={<ReloadOutlined />} loading={scan.busy} onClick={rescan}>
              立即重新核查
            </Button>
          )}
        </Space>
      </Space>
      {scan.error ? <ProblemAlert error={scan.error} title="重新核查失败" /> : null}
      <PageState loading={dataset.loading} error={dataset.error} data={dataset.data} onRetry={dataset.reload}>
        {(d) => (
          <Card style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={{ xs: 1, md: 3 }}>
              <Descriptions.Item label="资源代码">{d.resourceCode}</Descriptions.Item>
              <Descriptions.Item label="提供部门">{departments.name(d.deptId)}</Descriptions.Item>
              <Descriptions.Item label="当前版本">{d.currentVersion ? `v${d.currentVersion}` : '尚未归集'}</Descriptions.Item>
              <Descriptions.Item label="最近归集">{fmtTime(d.lastVersionAt)}</Descriptions.Item>
              <Descriptions.Item label="标注为个人信息的信息项">
                {d.items.filter((i) => i.personal).map((i) => i.name).join('、') || '无'}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        )}
      </PageState>
      <Card title="发现结果（当前版本）">
        <PageState loading={findings.loading} error={findings.error} data={findings.data} onRetry={findings.reload}>
          {(f) => (
            <>
              {f.blockedColumns.length > 0 ? (
                <Alert type="error" showIcon style={{ marginBottom: 12 }} title={`阻止开放和无条件共享的列：${f.blockedColumns.join('、')}`} data-testid="blocked-columns" />
              ) : (
                <Alert type="success" showIcon style={{ marginBottom: 12 }} title={f.version ? '没有阻止开放的列' : '该数据集尚未归集，暂无发现'} />
              )}
              <Table<SensitiveFinding>
                size="small"
                rowKey="id"
                pagination={false}
                dataSource={f.findings}
                locale={{ emptyText: '未发现疑似个人信息的列' }}
                columns={[
                  { title: '列', dataIndex: 'column' },
                  { title: '类型', render: (_: unknown, x) => <Space size={4}>{x.kindLabel}{x.embedded && <Tag>夹带</Tag>}</Space> },
                  { title: '命中', render: (_: unknown, x) => `${x.matches} / ${x.scanned}（${(x.share * 100).toFixed(1)}%）` },
                  { title: '状态', dataIndex: 'status', render: (s: FindingStatus) => <FindingStatusTag status={s} /> },
                  {
                    title: '说明与意见',
                    render: (_: unknown, x) => (
                      <Space direction="vertical" size={0}>
                        {x.justification && <Typography.Text>说明：{x.justification}</Typography.Text>}
                        {x.decisionComment && <Typography.Text type="secondary">意见：{x.decisionComment}</Typography.Text>}
                        {!x.justification && !x.decisionComment && '—'}
                      </Space>
                    ),
                  },
                  ...(hasRole(...CAN_JUSTIFY, ...CAN_DECIDE)
                    ? [
                        {
                          title: '操作',
                          render: (_: unknown, x: SensitiveFinding) => (
                            <Space>
                              {hasRole(...CAN_JUSTIFY) && x.blocking && (
                                <Button size="small" onClick={() => setActing({ finding: { ...x, datasetName: dataset.data?.name }, action: 'justify' })}>
                                  说明理由
                                </Button>
                              )}
                              {hasRole(...CAN_DECIDE) && x.status === 'justified' && (
                                <Button size="small" type="primary" onClick={() => setActing({ finding: { ...x, datasetName: dataset.data?.name }, action: 'decide' })}>
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
            </>
          )}
        </PageState>
      </Card>
      {acting && (
        <ActionModal
          finding={acting.finding}
          action={acting.action}
          onClose={(changed) => {
            setActing(undefined);
            if (changed) findings.reload();
          }}
        />
      )}
    </div>
  );
}
