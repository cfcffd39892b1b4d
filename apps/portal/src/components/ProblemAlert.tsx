import { Alert, Typography } from 'antd';
import { ApiError } from '../api/client';

/**
 * Shows a failed call as the server explained it: the Chinese message, the stable code, field
 * errors one per line, and the correlation id to quote to the help desk.
 */
export function ProblemAlert({ error, title, onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : undefined;
  const message = problem?.message?.zh ?? problem?.detail ?? (error as Error).message ?? '发生未知错误';
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      data-testid="problem"
      title={
        <span>
          {title ? `${title}：` : ''}
          {message}
          {problem && (
            <Typography.Text code style={{ marginLeft: 8 }} data-testid="problem-code">
              {problem.code}
            </Typography.Text>
          )}
        </span>
      }
      description={
        (problem?.errors?.length || problem?.correlationId || onRetry) && (
          <div>
            {!!problem?.errors?.length && (
              <ul style={{ margin: '4px 0', paddingLeft: 20, maxHeight: 320, overflow: 'auto' }} data-testid="problem-errors">
                {problem.errors.map((e, i) => (
                  <li key={i}>{e.zh}</li>
                ))}
              </ul>
            )}
            {problem?.correlationId && (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                请求编号 {problem.correlationId}
              </Typography.Text>
            )}
            {onRetry && (
              <div style={{ marginTop: 8 }}>
                <a onClick={onRetry} role="button" tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && onRetry()}>
                  重试
                </a>
              </div>
            )}
          </div>
        )
      }
    />
  );
}
