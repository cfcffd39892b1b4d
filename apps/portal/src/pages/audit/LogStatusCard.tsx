import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Card, Statistic, Typography } from 'antd';
import { Link } from 'react-router';
import { api } from '../../api/client';
import { useAsync } from '../../components/useAsync';
import type { Verification } from './auditTypes';

/** The audit log's verification status (full check against the signed tree heads). */
export function LogStatusCard({ compact }: { compact?: boolean }) {
  const v = useAsync((signal) => api<Verification>('/api/audit/log/verification', { signal }), []);
  const d = v.data;
  return (
    <Card data-testid="log-status" size={compact ? 'small' : undefined}>
      <Statistic
        title="审计日志校验"
        value={d ? (d.ok ? '完整' : '发现异常') : v.error ? '不可用' : '校验中'}
        valueStyle={{ color: d ? (d.ok ? '#389e0d' : '#cf1322') : undefined, fontSize: compact ? 20 : undefined }}
        prefix={<SafetyCertificateOutlined />}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {d ? `已校验 ${d.recordsChecked} 条记录、${d.treeHeadsChecked} 个签名树头` : ''}
        {compact && <> · <Link to="/audit/log">详情</Link></>}
      </Typography.Text>
    </Card>
  );
}
