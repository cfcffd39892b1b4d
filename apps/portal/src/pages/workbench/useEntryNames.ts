import { api } from '../../api/client';
import { Paged, useAsync } from '../../components/useAsync';

/**
 * Names of published entries by id, from the first 100 by name only: prefer names the list answers
 * carry (grants, feedback and needs name their entries); kept for pages that have no such name.
 */
export function useEntryNames() {
  const d = useAsync((signal) => api<Paged<{ entryId: string; name: string; resourceCode: string }>>('/api/sharing/entries', { signal, query: { pageSize: 100 } }).then((p) => p.items).catch(() => []), []);
  const byId = new Map((d.data ?? []).map((e) => [e.entryId, e]));
  return (id: string | null | undefined) => (id ? (byId.get(id)?.name ?? `目录 ${id.slice(0, 8)}`) : '—');
}
