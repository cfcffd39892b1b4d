import { BarChart, GaugeChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { CSSProperties, useEffect, useRef } from 'react';
import type { ChartOption } from './chartOptions';

// Only the chart types the consoles draw, so the chunk stays small (the full build is ~1 MB).
echarts.use([BarChart, PieChart, GaugeChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, SVGRenderer]);

export type { ChartOption } from "./chartOptions";

/**
 * An ECharts chart with a text alternative: `label` is read by screen readers (role="img"), and
 * charts elsewhere always sit beside a table with the same figures.
 */
export default function Chart({ option, label, height = 300, style }: { option: ChartOption; label: string; height?: number; style?: CSSProperties }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts>(undefined);

  useEffect(() => {
    const el = ref.current!;
    chart.current = echarts.init(el, undefined, { renderer: 'svg' });
    const ro = new ResizeObserver(() => chart.current?.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.current?.dispose();
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ animation: false, textStyle: { fontFamily: 'inherit' }, ...option }, true);
  }, [option]);

  return <div ref={ref} role="img" aria-label={label} style={{ width: '100%', height, ...style }} />;
}
