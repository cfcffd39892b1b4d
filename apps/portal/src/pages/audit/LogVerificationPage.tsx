import { Alert, App, Button, Card, Col, Descriptions, Row, Table, Typography } from 'antd';
import { useState } from 'react';
import { api } from '../../api/client';
import { PageState } from '../../components/PageState';
import { ProblemAlert } from '../../components/ProblemAlert';
import { useSubmit } from '../../components/useSubmit';
import { useAsync } from '../../components/useAsync';
import type { SignedTreeHead, Verification } from './auditTypes';

const PAGE = 20;

/** 日志校验: the tamper-evident log's full verification, the latest signed tree head and the history of heads. */
export default function LogVerificationPage() {
  const { message } = App.useApp();
  const v = useAsync((signal) => api<Verification>('/api/audit/log/verification', { signal }), []);
  const head = useAsync((signal) => api<SignedTreeHead & { logSize: number }>('/api/audit/log/tree-head', { signal }), []);
  const key = useAsync((signal) => api<{ algorithm: string; keyId: string; publicKeyPem: string }>('/api/audit/log/public-key', { signal }), []);
  const [fromSize, setFromSize] = useState<number[]>([0]);
  const heads = useAsync((signal) => api<SignedTreeHead[]>('/api/audit/log/tree-heads', { signal, query: { fromSize: fromSize[fromSize.length - 1], limit: PAGE } }), [fromSize[fromSize.length - 1]]);
  const { busy, error, run } = useSubmit();
  const signNow = async () => {
    await run(async () => {
      const h = await api<SignedTreeHead>('/api/audit/log/tree-heads', { method: 'POST' });
      message.success(`已签名树头：${h.treeSize} 条记录`);
      head.reload();
      v.reload();
      heads.reload();
    });
  };
  return (
    <div>
      <h1 className="page-title">日志校验</h1>
      {error ? <ProblemAlert error={error} /> : null}
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col xs={24} lg={12}>
          <Card title="完整校验" extra={<Button onClick={v.reload} loading={v.loading}>重新校验</Button>} data-testid="log-verification-detail">
            <PageState loading={v.loading} error={v.error} data={v.data} onRetry={v.reload}>
              {(d) => (
                <>
                  <Alert
                    type={d.ok ? 'success' : 'error'}
                    showIcon
                    title={d.ok ? '审计日志完整：所有记录与签名树头一致' : `发现异常：自第 ${d.firstBadSeq ?? '?'} 条起记录与签名不一致`}
                    style={{ marginBottom: 12 }}
                  />
                  <Descriptions size="small" column={2}>
                    <Descriptions.Item label="已校验记录">{d.recordsChecked}</Descriptions.Item>
                    <Descriptions.Item label="已校验树头">{d.treeHeadsChecked}</Descriptions.Item>
                    <Descriptions.Item label="归档段">{d.segmentsChecked}</Descriptions.Item>
                    <Descriptions.Item label="在线记录起">#{d.liveFrom}</Descriptions.Item>
                    <Descriptions.Item label="根哈希" span={2}>
                      <Typography.Text code copyable style={{ fontSize: 11 }}>{d.rootHash}</Typography.Text>
                    </Descriptions.Item>
                  </Descriptions>
                  {d.problems.length > 0 && (
                    <ul role="list" aria-label="校验问题">
                      {d.problems.map((p, i) => (
                        <li key={i}>{p.message.zh}</li>
                      ))}
                    </ul>
                  )}
                </>
              )}
            </PageState>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title="最新签名树头" extra={<Button type="primary" onClick={signNow} loading={busy}>立即签名</Button>} data-testid="tree-head">
            <PageState loading={head.loading} error={head.error} data={head.data} onRetry={head.reload}>
              {(h) => (
                <Descriptions size="small" column={1}>
                  <Descriptions.Item label="树大小">
                    {h.treeSize}（日志共 {h.logSize} 条{h.logSize > h.treeSize ? `，${h.logSize - h.treeSize} 条待下次签名` : ''}）
                  </Descriptions.Item>
                  <Descriptions.Item label="签名时间">{new Date(h.timestamp).toLocaleString('zh-CN')}</Descriptions.Item>
                  <Descriptions.Item label="根哈希">
                    <Typography.Text code style={{ fontSize: 11 }}>{h.rootHash}</Typography.Text>
                  </Descriptions.Item>
                  <Descriptions.Item label="签名密钥">{h.keyId}</Descriptions.Item>
                </Descriptions>
              )}
            </PageState>
            {key.data && (
              <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }} copyable={{ text: key.data.publicKeyPem }}>
                公钥（{key.data.algorithm}，{key.data.keyId}）：第三方可用它独立核验树头
              </Typography.Paragraph>
            )}
          </Card>
        </Col>
      </Row>
      <Card title="签名树头历史（从早到晚）">
        {heads.error ? <ProblemAlert error={heads.error} onRetry={heads.reload} /> : null}
        <Table<SignedTreeHead>
          rowKey="treeSize"
          size="small"
          loading={heads.loading}
          dataSource={heads.data ?? []}
          pagination={false}
          locale={{ emptyText: '还没有签名树头' }}
          columns={[
            { title: '树大小', dataIndex: 'treeSize', width: 100 },
            { title: '签名时间', dataIndex: 'timestamp', width: 200, render: (t: string) => new Date(t).toLocaleString('zh-CN') },
            { title: '根哈希', dataIndex: 'rootHash', render: (h: string) => <Typography.Text code style={{ fontSize: 11 }}>{h}</Typography.Text> },
            { title: '密钥', dataIndex: 'keyId', width: 170 },
          ]}
        />
        <div style={{ marginTop: 12, display: 'flex', gap: 8, justifyContent: 'flex-end' }}>
          <Button disabled={fromSize.length < 2} onClick={() => setFromSize((s) => s.slice(0, -1))}>
            上一页
          </Button>
          <Button disabled={(heads.data?.length ?? 0) < PAGE} onClick={() => setFromSize((s) => [...s, (heads.data?.[heads.data.length - 1]?.treeSize ?? 0) + 1])}>
            下一页
          </Button>
        </div>
      </Card>
    </div>
  );
}
