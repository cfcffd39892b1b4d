/** 我的提交: what a developer submitted on the open portal (GET /api/open/v1/developers/me/submissions). */
export type SubmissionKind = 'rating' | 'comment' | 'error_report' | 'data_request' | 'suggestion' | 'showcase';

export interface Submission {
  kind: SubmissionKind;
  id: string;
  datasetId: string | null;
  datasetName: string | null;
  datasets: { id: string; name: string | null }[];
  title: string | null;
  body: string | null;
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
  counts: Record<SubmissionKind, number>;
}

export const SUBMISSIONS_PATH = '/api/open/v1/developers/me/submissions';

export const SUBMISSION_KIND: Record<SubmissionKind, string> = {
  rating: '评分',
  comment: '评论',
  error_report: '数据纠错',
  data_request: '需求征集',
  suggestion: '意见建议',
  showcase: '应用展示',
};

export const SCORE_LABELS = { usability: '易用性', completeness: '完整性', accuracy: '准确性', timeliness: '及时性' } as const;

/** A submission's state as the developer reads it. */
export function submissionState(s: Submission): { label: string; color: string } {
  if (s.kind === 'rating' || s.kind === 'comment') return { label: '已发布', color: 'default' };
  if (s.kind === 'showcase')
    return ({ pending: { label: '待审核', color: 'processing' }, published: { label: '已展示', color: 'success' }, rejected: { label: '未通过审核', color: 'error' } } as Record<string, { label: string; color: string }>)[s.status] ?? { label: s.status, color: 'default' };
  if (s.status === 'answered') return { label: '已答复', color: 'success' };
  return s.overdue ? { label: '已逾期未答复', color: 'error' } : { label: '待答复', color: 'processing' };
}
