import { api } from '../../api/client';
import { useAsync } from '../../components/useAsync';

/** Names of published entries by id (the sharing read model answers at most 500, ordered by name). */
export function useEntryNames() {
  const d = useAsync((signal) => api<{ entryId: string; name: string; resourceCode: string }[]>('/api/sharing/entries', { signal }).catch(() => []), []);
  const byId = new Map((d.data ?? []).map((e) => [e.entryId, e]));
  return (id: string | null | undefined) => (id ? (byId.get(id)?.name ?? `目录 ${id.slice(0, 8)}`) : '—');
}
