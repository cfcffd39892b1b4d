/**
 * Data-security policy of the sandbox and of releases (SECURITY_* settings), the same names in every
 * service that runs sandbox jobs (sharing for departments, open-api for developers). Read once at
 * boot; a bad value stops the boot with its name.
 */
export interface SandboxSettings {
  /** Minimum group size (k-anonymity) of any release: grants with quasi-identifiers, sandbox output groups (SECURITY_MIN_K). */
  minK: number;
  /** Statement timeout of one sandbox query (SECURITY_SANDBOX_TIMEOUT_MS). */
  sandboxTimeoutMs: number;
  /** Output rows (groups) a sandbox query may release (SECURITY_SANDBOX_MAX_ROWS). */
  sandboxMaxRows: number;
  /** work_mem of a sandbox query, e.g. 32MB (SECURITY_SANDBOX_WORK_MEM). */
  sandboxWorkMem: string;
  /** How long released results stay downloadable (SECURITY_SANDBOX_RESULT_HOURS). */
  sandboxResultHours: number;
  /** Released groups compared per job for the differencing check (older ones are not compared; SECURITY_SANDBOX_HISTORY). */
  sandboxHistory: number;
  /** Connections of the sandbox's own pool (SECURITY_SANDBOX_POOL_SIZE). */
  sandboxPoolSize: number;
}

function int(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return n;
}

export function sandboxSettingsFrom(extra: Record<string, string | undefined> = {}): SandboxSettings {
  const workMem = extra.SECURITY_SANDBOX_WORK_MEM ?? '32MB';
  if (!/^\d{1,6}(kB|MB|GB)$/.test(workMem)) throw new Error('SECURITY_SANDBOX_WORK_MEM must be a size like 32MB');
  return {
    minK: int('SECURITY_MIN_K', extra.SECURITY_MIN_K, 5, 2),
    sandboxTimeoutMs: int('SECURITY_SANDBOX_TIMEOUT_MS', extra.SECURITY_SANDBOX_TIMEOUT_MS, 15_000, 100),
    sandboxMaxRows: int('SECURITY_SANDBOX_MAX_ROWS', extra.SECURITY_SANDBOX_MAX_ROWS, 10_000, 1),
    sandboxWorkMem: workMem,
    sandboxResultHours: int('SECURITY_SANDBOX_RESULT_HOURS', extra.SECURITY_SANDBOX_RESULT_HOURS, 72, 1),
    sandboxHistory: int('SECURITY_SANDBOX_HISTORY', extra.SECURITY_SANDBOX_HISTORY, 5_000, 1),
    sandboxPoolSize: int('SECURITY_SANDBOX_POOL_SIZE', extra.SECURITY_SANDBOX_POOL_SIZE, 2, 1),
  };
}
