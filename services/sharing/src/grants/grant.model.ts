import type { DeliveryMethod, GrantStatus } from '@gov/shared';
import { dateText as day, iso } from '../db';
import type { RowFilter } from '../delivery/record-filter';

/** 共享授权: what one requesting system may receive, how, and until when. */
export interface Grant {
  id: string;
  requestId: string;
  consumerDeptId: string;
  providerDeptId: string;
  systemName: string;
  entryId: string;
  items: string[];
  rowFilter: RowFilter[];
  /** The catalog's 共享条件, carried as is (no condition may be added beyond it). */
  catalogCondition: string | null;
  validFrom: string;
  validTo: string;
  rateLimitPerMinute: number | null;
  quotaRows: number | null;
  rowsDelivered: number;
  deliveryMethod: DeliveryMethod;
  status: GrantStatus;
  statusReason: string | null;
  /** 授权运营: the operator organisation this grant serves (its use counts against the operator's quotas). */
  operatorId: string | null;
  createdAt: string;
  updatedAt: string;
}


export function mapGrant(r: Record<string, any>): Grant {
  return {
    id: r.id,
    requestId: r.request_id,
    consumerDeptId: r.consumer_dept_id,
    providerDeptId: r.provider_dept_id,
    systemName: r.system_name,
    entryId: r.entry_id,
    items: r.items,
    rowFilter: r.row_filter,
    catalogCondition: r.catalog_condition,
    validFrom: day(r.valid_from),
    validTo: day(r.valid_to),
    rateLimitPerMinute: r.rate_limit_per_minute,
    quotaRows: r.quota_rows === null ? null : Number(r.quota_rows),
    rowsDelivered: Number(r.rows_delivered),
    deliveryMethod: r.delivery_method,
    status: r.status,
    statusReason: r.status_reason,
    operatorId: r.operator_id ?? null,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}
