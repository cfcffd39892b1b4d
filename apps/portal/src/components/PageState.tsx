import { Empty, Result, Skeleton } from 'antd';
import { ReactNode } from 'react';
import { ProblemAlert } from './ProblemAlert';

/** Loading, error and empty states every page uses, so none is ever blank. */
export function PageState<T>({
  loading,
  error,
  data,
  empty,
  isEmpty,
  onRetry,
  children,
}: {
  loading: boolean;
  error: unknown;
  data: T | undefined;
  empty?: ReactNode;
  isEmpty?: (d: T) => boolean;
  onRetry?: () => void;
  children: (d: T) => ReactNode;
}) {
  if (error) return <ProblemAlert error={error} title="加载失败" onRetry={onRetry} />;
  if (data === undefined) return loading ? <Skeleton active aria-busy="true" aria-label="正在加载" /> : null;
  if (isEmpty?.(data)) return <>{empty ?? <Empty description="暂无数据" />}</>;
  return <>{children(data)}</>;
}

export function ComingSoon({ title, description, features }: { title: string; description?: string; features?: string[] }) {
  return (
    <Result
      status="info"
      title={`${title} · 即将上线`}
      subTitle={description ?? '该功能所依赖的服务正在建设中，上线后将在此处提供。'}
      extra={
        features && (
          <ul style={{ textAlign: 'left', display: 'inline-block', margin: 0 }} aria-label="规划功能">
            {features.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        )
      }
    />
  );
}
