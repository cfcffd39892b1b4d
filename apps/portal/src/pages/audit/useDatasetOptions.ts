import { api } from '../../api/client';
import { useAsync } from '../../components/useAsync';
import type { TracePage } from './auditTypes';

/** Datasets the log knows of (their ingest.dataset.created records, newest first), for the pickers. */
export function useDatasetOptions() {
  const d = useAsync((signal) => api<TracePage>('/api/audit/traces', { signal, query: { eventName: 'ingest.dataset.created', limit: 200 } }).catch(() => ({ items: [] }) as TracePage), []);
  const options = (d.data?.items ?? [])
    .filter((r) => r.refs?.datasetId)
    .map((r) => ({ value: String(r.refs!.datasetId), label: `${String(r.payload?.name ?? r.refs!.datasetId)}${r.payload?.resourceCode ? `（${r.payload.resourceCode}）` : ''}` }));
  return { options, loading: d.loading, name: (id: string) => options.find((o) => o.value === id)?.label ?? id };
}
