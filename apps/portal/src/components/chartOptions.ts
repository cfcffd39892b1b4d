/** Option builders for the consoles' charts; no ECharts import here, so pages stay light. */
export type ChartOption = Record<string, unknown>;

export const PALETTE = ['#1677ff', '#13a8a8', '#fa8c16', '#722ed1', '#eb2f96', '#52c41a', '#faad14', '#2f54eb'];

export function barOption(labels: string[], values: number[], opts: { horizontal?: boolean; name?: string; color?: string; max?: number; integer?: boolean } = {}): ChartOption {
  const cat = { type: 'category', data: labels, axisLabel: { interval: 0, width: 110, overflow: 'truncate' } };
  const val = { type: 'value', max: opts.max, minInterval: opts.integer ? 1 : undefined };
  return {
    color: [opts.color ?? PALETTE[0]],
    tooltip: { trigger: 'axis' },
    grid: { left: opts.horizontal ? 130 : 40, right: 24, top: 16, bottom: opts.horizontal ? 24 : 60 },
    xAxis: opts.horizontal ? val : { ...cat, axisLabel: { ...cat.axisLabel, rotate: labels.length > 6 ? 30 : 0 } },
    yAxis: opts.horizontal ? { ...cat, inverse: true } : val,
    series: [{ type: 'bar', name: opts.name, data: values, barMaxWidth: 28, label: { show: true, position: opts.horizontal ? 'right' : 'top' } }],
  };
}

export function pieOption(data: { name: string; value: number }[]): ChartOption {
  return {
    color: PALETTE,
    tooltip: { trigger: 'item', formatter: '{b}：{c}（{d}%）' },
    legend: { bottom: 0 },
    series: [{ type: 'pie', radius: ['40%', '68%'], center: ['50%', '45%'], data, label: { formatter: '{b}\n{c}' } }],
  };
}

export function gaugeOption(value: number, name: string): ChartOption {
  return {
    series: [
      {
        type: 'gauge',
        min: 0,
        max: 100,
        progress: { show: true, width: 12 },
        axisLine: { lineStyle: { width: 12 } },
        axisTick: { show: false },
        splitLine: { length: 8 },
        axisLabel: { distance: 16, fontSize: 10 },
        detail: { valueAnimation: false, formatter: '{value}', fontSize: 28, offsetCenter: [0, '60%'] },
        title: { offsetCenter: [0, '90%'] },
        data: [{ value, name }],
      },
    ],
  };
}
