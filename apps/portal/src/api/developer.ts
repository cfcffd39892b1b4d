/**
 * The developer's session on the open portal (开发者账号, separate from staff accounts): kept in
 * sessionStorage by the developer centre and read by the pages where a developer posts (ratings,
 * comments, data requests, the app showcase, conditional-opening applications).
 */
import { useEffect, useState } from 'react';
import { api, RequestOptions } from './client';

export const DEV_SESSION_KEY = 'govdata.developer';
const CHANGED = 'govdata.developer.changed';

export interface DevSession {
  id: string;
  name: string;
  accessToken: string;
}

export function readDevSession(): DevSession | undefined {
  try {
    return JSON.parse(sessionStorage.getItem(DEV_SESSION_KEY) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}

export function saveDevSession(s: DevSession | undefined): void {
  if (s) sessionStorage.setItem(DEV_SESSION_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(DEV_SESSION_KEY);
  window.dispatchEvent(new Event(CHANGED));
}

/** The current developer session, following sign-in and sign-out in other components. */
export function useDevSession(): DevSession | undefined {
  const [s, setS] = useState<DevSession | undefined>(readDevSession);
  useEffect(() => {
    const update = () => setS(readDevSession());
    window.addEventListener(CHANGED, update);
    return () => window.removeEventListener(CHANGED, update);
  }, []);
  return s;
}

/** A call as the developer (bearer token of the developer session, never the staff one). */
export function devApi<T>(session: DevSession | undefined, path: string, opts: RequestOptions = {}): Promise<T> {
  return api<T>(path, { ...opts, anonymous: true, headers: { ...opts.headers, ...(session ? { authorization: `Bearer ${session.accessToken}` } : {}) } }).catch((e) => {
    // An expired developer token: forget it so the page offers to sign in again.
    if (session && e?.status === 401) saveDevSession(undefined);
    throw e;
  });
}

export const OPEN = '/api/open/v1';

/** 互动反馈 as the open-data service returns it (数据纠错 / 需求征集 / 意见建议). */
export interface OpenFeedback {
  id: string;
  kind: 'error_report' | 'data_request' | 'suggestion';
  datasetId: string | null;
  datasetName: string | null;
  title: string;
  body: string;
  status: 'open' | 'answered';
  answer: string | null;
  answeredAt: string | null;
  dueOn: string;
  overdue: boolean;
  createdAt: string;
}

export interface ShowcaseApp {
  id: string;
  title: string;
  description: string;
  url: string | null;
  author: string;
  datasetIds: string[];
  createdAt: string;
}

/** 有条件开放申请 */
export interface ConditionalApplication {
  id: string;
  datasetId: string;
  /** The open dataset's name, joined on the server (null if the dataset is no longer open). */
  datasetName: string | null;
  appId: string;
  organisation: string;
  creditCode: string;
  purpose: string;
  scenario: string;
  commitments: string;
  status: 'pending' | 'approved' | 'refused';
  dueOn: string;
  overdue: boolean;
  decidedAt: string | null;
  reasons: string | null;
  terms: string | null;
  endDate: string | null;
  createdAt: string;
}

export const APPLICATION_STATUS = {
  pending: { label: '待审核', color: 'processing' },
  approved: { label: '已批准', color: 'success' },
  refused: { label: '未批准', color: 'error' },
} as const;

export const FEEDBACK_KIND = { error_report: '数据纠错', data_request: '需求征集', suggestion: '意见建议' } as const;
