import { dateText, iso } from '../db';

export interface ShareRequest {
  id: string;
  batchId: string;
  requesterDeptId: string;
  requesterUserId: string;
  providerDeptId: string;
  entryId: string;
  entryVersion: number;
  shareType: string;
  items: string[];
  purpose: string;
  legalBasis: string;
  scenario: string;
  periodFrom: string;
  periodTo: string;
  deliveryMethod: string;
  expectedVolume: string | null;
  frequency: string | null;
  systemName: string;
  /** pending 待答复 | approved 已同意 | refused 已拒绝 | withdrawn 已撤回 */
  status: string;
  submittedAt: string;
  submittedOn: string;
  dueDate: string | null;
  escalatedAt: string | null;
  coordination: { at: string; by: string; note: string }[];
  decidedAt: string | null;
  decidedBy: string | null;
  decision: string | null;
  decisionDetail: Record<string, unknown> | null;
  refusalGround: string | null;
  refusalText: string | null;
  /** Working days from submission to the answer (statistics). */
  responseWorkingDays: number | null;
  grantId: string | null;
}

export function mapRequest(r: Record<string, any>): ShareRequest {
  return {
    id: r.id,
    batchId: r.batch_id,
    requesterDeptId: r.requester_dept_id,
    requesterUserId: r.requester_user_id,
    providerDeptId: r.provider_dept_id,
    entryId: r.entry_id,
    entryVersion: r.entry_version,
    shareType: r.share_type,
    items: r.items,
    purpose: r.purpose,
    legalBasis: r.legal_basis,
    scenario: r.scenario,
    periodFrom: dateText(r.period_from),
    periodTo: dateText(r.period_to),
    deliveryMethod: r.delivery_method,
    expectedVolume: r.expected_volume,
    frequency: r.frequency,
    systemName: r.system_name,
    status: r.status,
    submittedAt: iso(r.submitted_at)!,
    submittedOn: dateText(r.submitted_on),
    dueDate: r.due_date ? dateText(r.due_date) : null,
    escalatedAt: iso(r.escalated_at),
    coordination: r.coordination ?? [],
    decidedAt: iso(r.decided_at),
    decidedBy: r.decided_by,
    decision: r.decision,
    decisionDetail: r.decision_detail,
    refusalGround: r.refusal_ground,
    refusalText: r.refusal_text,
    responseWorkingDays: r.response_days,
    grantId: r.grant_id,
  };
}
