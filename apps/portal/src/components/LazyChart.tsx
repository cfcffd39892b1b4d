import { Skeleton } from 'antd';
import { lazy, Suspense } from 'react';
import type { ChartOption } from './chartOptions';

const Chart = lazy(() => import('./Chart'));

/** Charts load ECharts on first use: pages without charts never download it. */
export function LazyChart(props: { option: ChartOption; label: string; height?: number }) {
  return (
    <Suspense fallback={<Skeleton.Node active style={{ width: '100%', height: props.height ?? 300 }} />}>
      <Chart {...props} />
    </Suspense>
  );
}
