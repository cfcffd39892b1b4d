import { toShanghaiDate } from '@gov/shared';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * 我的提交: what a developer submitted on the open portal — ratings, comments, 数据纠错, 需求征集,
 * 意见建议 and showcase apps — with the public answers and states. Read from open-api's own tables
 * (the interaction service writes them), always filtered by the caller's developer id.
 * Conditional-opening applications have their own list (`GET /v1/applications/mine`).
 */
export const SUBMISSION_KINDS = ['rating', 'comment', 'error_report', 'data_request', 'suggestion', 'showcase'] as const;
export type SubmissionKind = (typeof SUBMISSION_KINDS)[number];

export class SubmissionsQuery {
  @ApiPropertyOptional({ enum: SUBMISSION_KINDS, description: '类型：评分、评论、数据纠错、需求征集、意见建议、应用展示；默认全部' })
  @IsOptional()
  @IsIn(SUBMISSION_KINDS)
  kind?: SubmissionKind;
  @ApiPropertyOptional({ default: 1, minimum: 1, maximum: 10_000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(10_000) page?: number;
  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100) pageSize?: number;
}

export interface Submission {
  kind: SubmissionKind;
  /** The record's id (for a rating, the dataset's: one rating per developer and dataset). */
  id: string;
  datasetId: string | null;
  datasetName: string | null;
  /** Showcase apps: the datasets they use. */
  datasets: { id: string; name: string | null }[];
  title: string | null;
  body: string | null;
  /** rating/comment: `submitted`; feedback: `open` | `answered`; showcase: `pending` | `published` | `rejected` … */
  status: string;
  answer: string | null;
  answeredAt: string | null;
  dueOn: string | null;
  overdue: boolean;
  scores: { usability: number; completeness: number; accuracy: number; timeliness: number } | null;
  url: string | null;
  createdAt: string;
}

export interface SubmissionsPage {
  items: Submission[];
  total: number;
  page: number;
  pageSize: number;
  /** Submissions of each kind (for the tabs), whatever `kind` asked for. */
  counts: Record<SubmissionKind, number>;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<any>;
}

/** Every kind as one row shape; `$1` is the developer. */
const UNION = `
  SELECT 'rating'::text AS kind, r.entry_id::text AS id, r.entry_id, NULL::uuid[] AS entry_ids, NULL::text AS title, NULL::text AS body, 'submitted'::text AS status,
         NULL::text AS answer, NULL::timestamptz AS answered_at, NULL::date AS due_on, NULL::text AS url,
         jsonb_build_object('usability', r.usability, 'completeness', r.completeness, 'accuracy', r.accuracy, 'timeliness', r.timeliness) AS scores, r.created_at
    FROM openapi.rating r WHERE r.developer_id = $1
  UNION ALL
  SELECT 'comment', c.id::text, c.entry_id, NULL, NULL, c.body, 'submitted', NULL, NULL, NULL, NULL, NULL, c.created_at
    FROM openapi.comment c WHERE c.developer_id = $1
  UNION ALL
  SELECT f.kind, f.id::text, f.entry_id, NULL, f.title, f.body, f.status, f.answer, f.answered_at, f.due_on, NULL, NULL, f.created_at
    FROM openapi.feedback f WHERE f.developer_id = $1
  UNION ALL
  SELECT 'showcase', s.id::text, NULL, s.entry_ids, s.title, s.description, s.status, NULL, NULL, NULL, s.url, NULL, s.created_at
    FROM openapi.showcase s WHERE s.developer_id = $1`;

/** One page of the developer's submissions, newest first (kind and id break ties), and the count of each kind. */
export async function developerSubmissions(db: Queryable, developerId: string, q: SubmissionsQuery, today = toShanghaiDate(new Date())): Promise<SubmissionsPage> {
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? 20;
  const kind = q.kind ?? null;
  const [countRows, rows] = await Promise.all([
    db.query(`SELECT kind, count(*)::int AS n FROM (${UNION}) s GROUP BY kind`, [developerId]),
    db.query(
      `SELECT s.*, d.name AS dataset_name,
              (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'name', o.name) ORDER BY x.ord), '[]'::jsonb)
                 FROM unnest(s.entry_ids) WITH ORDINALITY AS x(id, ord) LEFT JOIN openapi.open_dataset o ON o.entry_id = x.id) AS datasets
         FROM (${UNION}) s LEFT JOIN openapi.open_dataset d ON d.entry_id = s.entry_id
        WHERE $2::text IS NULL OR s.kind = $2
        ORDER BY s.created_at DESC, s.kind, s.id LIMIT $3 OFFSET $4`,
      [developerId, kind, pageSize, (page - 1) * pageSize],
    ),
  ]);
  const counts = Object.fromEntries(SUBMISSION_KINDS.map((k) => [k, 0])) as Record<SubmissionKind, number>;
  for (const c of countRows as { kind: SubmissionKind; n: number }[]) counts[c.kind] = c.n;
  const total = kind ? counts[kind] : Object.values(counts).reduce((a, b) => a + b, 0);
  return { items: rows.map((r: any) => view(r, today)), total, page, pageSize, counts };
}

function view(r: any, today: string): Submission {
  const dueOn = r.due_on ? toShanghaiDate(r.due_on) : null;
  return {
    kind: r.kind,
    id: r.id,
    datasetId: r.entry_id ?? null,
    datasetName: r.dataset_name ?? null,
    datasets: r.entry_ids ? r.datasets : [],
    title: r.title,
    body: r.body,
    status: r.status,
    answer: r.answer,
    answeredAt: r.answered_at ? new Date(r.answered_at).toISOString() : null,
    dueOn,
    overdue: r.status === 'open' && !!dueOn && today > dueOn,
    scores: r.scores,
    url: r.url,
    createdAt: new Date(r.created_at).toISOString(),
  };
}
