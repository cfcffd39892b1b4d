import { Card, Col, Descriptions, Empty, Row, Statistic, Table, Tag, Typography } from 'antd';
import { barOption } from '../../components/chartOptions';
import { LazyChart } from '../../components/LazyChart';

interface Rule {
  rule: string;
  label: string;
  column: string;
  checked: number;
  invalid: number;
  rate: number;
}

export interface Quality {
  grade: string;
  score: number;
  version: number;
  rowCount: number;
  loadedRows: number;
  rejectedRows: number;
  dimensions: Record<string, number | null>;
  weights?: Record<string, number>;
  completeness?: { columns: { column: string; filled: number; rate: number }[]; overall: number } | null;
  validity?: { rules: Rule[]; checked: number; invalid: number; overall: number } | null;
  uniqueness?: { keys?: string[]; duplicates?: number; overall?: number } | null;
  timeliness?: { status: string; ageDays: number | null; maxAgeDays: number | null; updateCycleLabel?: string; lastUpdatedAt: string | null } | null;
  consistency?: unknown;
}

const DIMENSIONS: Record<string, string> = { completeness: '完整性', validity: '有效性', uniqueness: '唯一性', consistency: '一致性', timeliness: '及时性' };
const GRADE_COLOR: Record<string, string> = { 优: 'success', 良: 'processing', 中: 'warning', 差: 'error' };

/** 质量报告: score and grade, the five dimensions, completeness per column, validity per rule. */
export function QualityReport({ q }: { q: Quality }) {
  const dims = Object.entries(DIMENSIONS).map(([k, l]) => ({ key: k, label: l, value: q.dimensions?.[k] ?? null }));
  const measured = dims.filter((d) => d.value != null);
  const cols = q.completeness?.columns ?? [];
  return (
    <div style={{ display: 'grid', gap: 16 }} data-testid="quality-report">
      <Row gutter={16}>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title="质量得分" value={q.score} precision={1} suffix={<Tag color={GRADE_COLOR[q.grade] ?? 'default'}>{q.grade}</Tag>} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title="读取行数" value={q.rowCount} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title="入库行数" value={q.loadedRows} valueStyle={{ color: '#389e0d' }} />
          </Card>
        </Col>
        <Col xs={12} md={6}>
          <Card>
            <Statistic title="问题行数" value={q.rejectedRows} valueStyle={{ color: q.rejectedRows ? '#cf1322' : undefined }} />
          </Card>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col xs={24} lg={10}>
          <Card title="质量维度" size="small">
            <LazyChart label={`质量维度得分：${measured.map((d) => `${d.label}${d.value}`).join('，')}`} height={260} option={barOption(measured.map((d) => d.label), measured.map((d) => d.value as number), { max: 100, name: '得分' })} />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              未评估：{dims.filter((d) => d.value == null).map((d) => d.label).join('、') || '无'}
              {q.timeliness?.updateCycleLabel ? ` · 更新周期 ${q.timeliness.updateCycleLabel}` : ''}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card title="各字段填充率（%）" size="small">
            {cols.length ? (
              <LazyChart
                label="各字段填充率"
                height={Math.max(220, cols.length * 30)}
                option={barOption(cols.map((c) => c.column), cols.map((c) => Math.round(c.rate * 1000) / 10), { horizontal: true, max: 100, color: '#13a8a8', name: '填充率' })}
              />
            ) : (
              <Empty description="无字段统计" />
            )}
          </Card>
        </Col>
      </Row>
      <Card title="有效性规则" size="small">
        <Table<Rule>
          size="small"
          rowKey={(r) => `${r.column}:${r.rule}`}
          dataSource={q.validity?.rules ?? []}
          pagination={false}
          columns={[
            { title: '字段', dataIndex: 'column' },
            { title: '规则', dataIndex: 'label' },
            { title: '检查', dataIndex: 'checked', width: 90 },
            { title: '不符合', dataIndex: 'invalid', width: 90, render: (n: number) => (n ? <Typography.Text type="danger">{n}</Typography.Text> : 0) },
            { title: '通过率', dataIndex: 'rate', width: 100, render: (r: number) => `${(r * 100).toFixed(1)}%` },
          ]}
        />
      </Card>
      {q.timeliness && (
        <Descriptions size="small" bordered column={3} title="及时性">
          <Descriptions.Item label="更新周期">{q.timeliness.updateCycleLabel ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="距上次更新">{q.timeliness.ageDays != null ? `${q.timeliness.ageDays} 天` : '首次归集'}</Descriptions.Item>
          <Descriptions.Item label="状态">{q.timeliness.status === 'unknown' ? '待评估' : q.timeliness.status}</Descriptions.Item>
        </Descriptions>
      )}
    </div>
  );
}
