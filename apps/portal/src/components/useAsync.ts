import { DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (d: T) => void;
}

/** Runs `fn` when `deps` change; the latest call wins, earlier answers are dropped. */
export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    setError(undefined);
    fnRef
      .current(ctl.signal)
      .then((d) => !ctl.signal.aborted && setData(d))
      .catch((e) => !ctl.signal.aborted && setError(e))
      .finally(() => !ctl.signal.aborted && setLoading(false));
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}

/** One page of a list paged on the server (`?page=&pageSize=` → `{ items, total, page, pageSize }`). */
export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * The page and page size of a server-paged list, kept in the URL like 我的目录 does (`?page=&pageSize=`,
 * or `?<prefix>page=&<prefix>pageSize=` for a second list on the same page), so a reload or a shared
 * link shows the same page. `reset` goes back to page 1 (when a filter changes); `pagination` feeds
 * an antd Table or List.
 */
export function usePageParams(prefix = '', defaultPageSize = 10) {
  const [params, setParams] = useSearchParams();
  const pageKey = `${prefix}page`;
  const sizeKey = `${prefix}pageSize`;
  const page = Math.max(1, Math.floor(Number(params.get(pageKey))) || 1);
  const rawSize = Math.floor(Number(params.get(sizeKey)));
  const pageSize = rawSize >= 1 && rawSize <= 100 ? rawSize : defaultPageSize;
  const setPage = useCallback(
    (p: number, s?: number) =>
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        if (p > 1) next.set(pageKey, String(p));
        else next.delete(pageKey);
        if (s && s !== defaultPageSize) next.set(sizeKey, String(s));
        else if (s) next.delete(sizeKey);
        return next;
      }),
    [setParams, pageKey, sizeKey, defaultPageSize],
  );
  /** Sets other URL parameters (filters) and goes back to page 1 in the same navigation. */
  const setFilter = useCallback(
    (patch: Record<string, string | undefined>) =>
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(patch)) v === undefined || v === '' ? next.delete(k) : next.set(k, v);
        next.delete(pageKey);
        return next;
      }),
    [setParams, pageKey],
  );
  const pagination = (total: number | undefined, opts: { showSizeChanger?: boolean } = {}) => ({
    current: page,
    pageSize,
    total: total ?? 0,
    hideOnSinglePage: page === 1 && (total ?? 0) <= pageSize,
    showSizeChanger: opts.showSizeChanger ?? false,
    showTotal: (t: number) => `共 ${t} 条`,
    onChange: (p: number, s: number) => setPage(s !== pageSize ? 1 : p, s),
  });
  return { page, pageSize, params, query: { page, pageSize }, setPage, setFilter, pagination };
}
