import { api } from '../../api/client';
import type { Department } from '../../api/types';
import { useAsync } from '../../components/useAsync';

/** Departments by id, for showing names where an API returns ids. */
export function useDepartments() {
  const d = useAsync((signal) => api<Department[]>('/api/catalog/departments', { signal }).catch(() => [] as Department[]), []);
  const byId = new Map((d.data ?? []).map((x) => [x.id, x]));
  return { list: d.data ?? [], name: (id?: string | null) => (id ? (byId.get(id)?.name ?? id.slice(0, 8)) : '—') };
}
