/**
 * What of a source's configuration may be shown (API answers, job errors, logs): never a header
 * value, a query-string value, a password or sealed credentials.
 */

export const MASK = '***';

/** scheme://host:port/path of an endpoint, without user info, query string or fragment. */
export function redactUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The URL with every query value masked (names stay, so a reader can tell what is sent). */
export function maskUrlQuery(url: string | URL): string {
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    for (const key of [...new Set(u.searchParams.keys())]) u.searchParams.set(key, MASK);
    return u.toString().replace(/%2A%2A%2A/g, MASK);
  } catch {
    return '(invalid URL)';
  }
}

function maskValues(record: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!record) return undefined;
  return Object.fromEntries(Object.keys(record).map((k) => [k, MASK]));
}

/**
 * A copy of an HTTP source configuration fit to return from the API: header and query values
 * masked, URL query values masked. Paging, format and limits stay as they are.
 */
export function redactHttpSourceConfig<T extends { url: string; headers?: Record<string, string>; query?: Record<string, string> }>(config: T): T {
  return {
    ...config,
    url: maskUrlQuery(config.url),
    ...(config.headers ? { headers: maskValues(config.headers) } : {}),
    ...(config.query ? { query: maskValues(config.query) } : {}),
  };
}

/** A copy of a database source configuration fit to return from the API: no password. */
export function redactDbSourceConfig<T extends { password?: string }>(config: T): Omit<T, 'password'> & { password?: string } {
  const { password, ...rest } = config;
  return password === undefined ? rest : { ...rest, password: MASK };
}
