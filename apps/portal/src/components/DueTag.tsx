import { Tag } from 'antd';
import { useWorkingDayCountdown } from './workingDays';

/** 答复期限 as a working-day countdown: blue, orange within three working days, red when overdue. */
export function DueTag({ due, countdown }: { due: string; countdown: ReturnType<typeof useWorkingDayCountdown> }) {
  if (!countdown) return <Tag color="blue">{due} 前</Tag>;
  const c = countdown(due);
  if (c.overdue) return <Tag color="error" data-testid="due-countdown">已超期 {Math.max(1, -c.left)} 个工作日（{due}）</Tag>;
  return (
    <Tag color={c.left <= 3 ? 'warning' : 'blue'} data-testid="due-countdown">
      {c.left === 0 ? `今天到期（${due}）` : `剩 ${c.left} 个工作日（${due} 前）`}
    </Tag>
  );
}
