import { CheckCircleFilled, CloseCircleFilled, ExclamationCircleFilled } from '@ant-design/icons';
import { Alert, Card, List, Space, Tag, Typography } from 'antd';
import type { ComplianceFinding, ReviewComments } from '../../api/types';
import { fieldLabel } from '../../standard';

/** 合规自检结果, field by field: every error blocks submission, warnings do not. */
export function FindingsPanel({ findings, checkedAt }: { findings: ComplianceFinding[]; checkedAt?: string }) {
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  return (
    <Card
      size="small"
      title={
        <Space>
          合规自检
          {errors.length === 0 ? (
            <Tag color="success" data-testid="compliance-status">
              通过
            </Tag>
          ) : (
            <Tag color="error" data-testid="compliance-status">
              {errors.length} 项未通过
            </Tag>
          )}
          {warnings.length > 0 && <Tag color="warning">{warnings.length} 项提醒</Tag>}
        </Space>
      }
      extra={checkedAt && <Typography.Text type="secondary">保存时检查 · {new Date(checkedAt).toLocaleString('zh-CN')}</Typography.Text>}
      data-testid="findings"
    >
      {findings.length === 0 ? (
        <Space>
          <CheckCircleFilled className="finding-ok" />
          全部规则通过：核心元数据齐全，共享、开放属性与分级一致，共享方式与格式匹配，来源系统已登记。
        </Space>
      ) : (
        <List
          size="small"
          dataSource={[...errors, ...warnings]}
          renderItem={(f) => (
            <List.Item>
              <Space align="start">
                {f.severity === 'error' ? <CloseCircleFilled className="finding-error" aria-label="错误" /> : <ExclamationCircleFilled style={{ color: '#d48806' }} aria-label="提醒" />}
                <span>
                  <Typography.Text strong>{fieldLabel(f.field)}</Typography.Text>
                  <Typography.Text type="secondary" style={{ marginInline: 6, fontSize: 12 }}>
                    {f.field}
                  </Typography.Text>
                  {f.zh}
                </span>
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

/** 审核意见: the bureau's overall comment and its comments per field. */
export function ReviewCommentsAlert({ comments }: { comments: ReviewComments }) {
  const fields = Object.entries(comments.fields ?? {});
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="review-comments"
      title={`数据局审核退回${comments.summary ? `：${comments.summary}` : ''}`}
      description={
        fields.length > 0 && (
          <ul style={{ margin: 0, paddingLeft: 20 }}>
            {fields.map(([path, text]) => (
              <li key={path}>
                <strong>{fieldLabel(path)}</strong>：{text}
              </li>
            ))}
          </ul>
        )
      }
    />
  );
}
