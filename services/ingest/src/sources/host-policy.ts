import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { SourceErrors } from './source-errors';

/**
 * Which hosts a registered endpoint (HTTP interface or department database) may point to: the
 * platform's defence against server-side request forgery.
 *
 * INGEST_ALLOWED_HOSTS is a comma-separated list of
 *   - host names: `api.dept.gov.cn` (exact, case-insensitive), `*.dept.gov.cn` (any sub-domain);
 *   - IP addresses and CIDR ranges: `10.12.0.7`, `10.12.0.0/16`, `fd12::/64`;
 *   - `*`: any host, with the built-in refusals below.
 *
 * Decision (the same in embedded and distributed mode, so that nothing loosens by accident):
 *   - unset or empty: any host whose addresses are public or private (10/8, 172.16/12,
 *     192.168/16, 100.64/10, fc00::/7: department systems live on the government intranet);
 *   - set: only the hosts it lists, by name, or whose every address is in a listed IP/CIDR range.
 * Always, whatever the list (unless an IP/CIDR entry names the address itself):
 *   - schemes other than http: and https: are refused, as are URLs with user:password@;
 *   - link-local and cloud metadata addresses (169.254.0.0/16 incl. 169.254.169.254, fe80::/10,
 *     fd00:ec2::254), unspecified (0.0.0.0/8, ::), multicast and reserved (240/4) are refused;
 *   - loopback (127/8, ::1) is refused unless its host name is listed exactly (e.g. `localhost`):
 *     the platform's own services listen there.
 * Addresses are checked after DNS resolution at connect time (a name that resolves to a refused
 * address is refused, which defeats DNS rebinding), and again at every redirect.
 */

type AddressClass = 'unspecified' | 'loopback' | 'link-local' | 'metadata' | 'multicast' | 'reserved' | 'private' | 'public';

interface Reason {
  zh: string;
  en: string;
}

export interface HostPolicy {
  /** The list as configured, or undefined when unset (the default policy). */
  readonly configured?: string;
  readonly names: ReadonlySet<string>;
  readonly wildcards: readonly string[];
  readonly any: boolean;
  readonly ranges: BlockList;
  readonly hasRanges: boolean;
}

const REFUSED: Record<Exclude<AddressClass, 'private' | 'public' | 'loopback'>, Reason> = {
  unspecified: { zh: '未指定地址', en: 'unspecified address' },
  'link-local': { zh: '链路本地地址（含云元数据地址）', en: 'link-local address (cloud metadata included)' },
  metadata: { zh: '云元数据地址', en: 'cloud metadata address' },
  multicast: { zh: '组播地址', en: 'multicast address' },
  reserved: { zh: '保留地址', en: 'reserved address' },
};

const CLASSES: [AddressClass, string, number, 'ipv4' | 'ipv6'][] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['private', '100.64.0.0', 10, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '::1', 128, 'ipv6'],
  ['metadata', 'fd00:ec2::254', 128, 'ipv6'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  // IPv4-compatible (deprecated) addresses other than :: and ::1
  ['reserved', '::', 96, 'ipv6'],
  ['private', 'fc00::', 7, 'ipv6'],
];

const classLists = new Map<AddressClass, BlockList>();
for (const [cls, net, prefix, family] of CLASSES) {
  if (!classLists.has(cls)) classLists.set(cls, new BlockList());
  classLists.get(cls)!.addSubnet(net, prefix, family);
}

/** Parses INGEST_ALLOWED_HOSTS; throws a SourceError naming a bad entry. */
export function parseAllowedHosts(value?: string | null): HostPolicy {
  const configured = value?.trim() ? value.trim() : undefined;
  const names = new Set<string>();
  const wildcards: string[] = [];
  const ranges = new BlockList();
  let any = configured === undefined;
  let hasRanges = false;
  for (const raw of (configured ?? '').split(',')) {
    const entry = raw.trim().toLowerCase().replace(/\.$/, '');
    if (!entry) continue;
    if (entry === '*') {
      any = true;
      continue;
    }
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    const ip = normalizeIp(cidr ? cidr[1] : entry);
    if (ip) {
      const prefix = cidr ? Number(cidr[2]) : ip.family === 'ipv4' ? 32 : 128;
      if (prefix > (ip.family === 'ipv4' ? 32 : 128)) throw SourceErrors.badConfig('INGEST_ALLOWED_HOSTS', `bad prefix in ${entry}`);
      ranges.addSubnet(ip.address, prefix, ip.family);
      hasRanges = true;
    } else if (/^\*\.[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(entry.startsWith('*.') ? `*.${toAscii(entry.slice(2))}` : '')) {
      wildcards.push(`.${toAscii(entry.slice(2))}`);
    } else if (/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(/[^\x00-\x7f]/.test(entry) ? toAscii(entry) : entry)) {
      names.add(toAscii(entry));
    } else {
      throw SourceErrors.badConfig('INGEST_ALLOWED_HOSTS', `not a host name, IP or CIDR: ${entry}`);
    }
  }
  return { configured, names, wildcards, any, ranges, hasRanges };
}

/** The policy when INGEST_ALLOWED_HOSTS is not set. */
export const DEFAULT_HOST_POLICY: HostPolicy = parseAllowedHosts(undefined);

/**
 * Synchronous checks of an endpoint URL (at registration and before every request): a parsable
 * http(s) URL without user info, and, for an IP literal host, an allowed address.
 */
export function checkEndpointUrl(url: string | URL, policy: HostPolicy = DEFAULT_HOST_POLICY): URL {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw SourceErrors.badUrl('not an absolute URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw SourceErrors.hostNotAllowed(parsed.protocol, { zh: '只允许 http 和 https 协议', en: 'only http: and https: are allowed' });
  if (parsed.username || parsed.password)
    throw SourceErrors.badUrl('user:password@ in the URL is not accepted; put credentials in the (encrypted) headers');
  checkHostName(parsed.hostname, policy);
  return parsed;
}

/** Name-level check of a host (URL hostname or database host); IP literals are checked fully. */
export function checkHostName(host: string, policy: HostPolicy = DEFAULT_HOST_POLICY): void {
  const hostname = bareHost(host);
  if (!hostname) throw SourceErrors.badUrl('no host');
  const ip = normalizeIp(hostname);
  if (ip) {
    checkAddress(hostname, ip.address, policy);
    return;
  }
  if (!policy.any && !policy.hasRanges && !nameMatches(hostname, policy))
    throw SourceErrors.hostNotAllowed(hostname, { zh: '不在 INGEST_ALLOWED_HOSTS 中', en: 'not in INGEST_ALLOWED_HOSTS' });
}

/** Throws PULL_HOST_NOT_ALLOWED unless `address` (one address `host` resolved to) is allowed. */
export function checkAddress(host: string, address: string, policy: HostPolicy = DEFAULT_HOST_POLICY): void {
  const hostname = bareHost(host);
  const ip = normalizeIp(address);
  if (!ip) throw SourceErrors.hostNotAllowed(hostname, { zh: `无法识别的地址 ${address}`, en: `unrecognised address ${address}` });
  if (policy.hasRanges && policy.ranges.check(ip.address, ip.family)) return;
  const cls = classify(ip.address, ip.family);
  const where = hostname === ip.address ? hostname : `${hostname} → ${ip.address}`;
  if (cls !== 'private' && cls !== 'public' && cls !== 'loopback') throw SourceErrors.hostNotAllowed(where, REFUSED[cls]);
  const exact = policy.names.has(hostname.toLowerCase());
  if (cls === 'loopback') {
    if (exact) return;
    throw SourceErrors.hostNotAllowed(where, {
      zh: '本机回环地址，需在 INGEST_ALLOWED_HOSTS 中明确列出',
      en: 'loopback address; list it explicitly in INGEST_ALLOWED_HOSTS',
    });
  }
  if (policy.any || exact || nameMatches(hostname, policy)) return;
  throw SourceErrors.hostNotAllowed(where, { zh: '不在 INGEST_ALLOWED_HOSTS 中', en: 'not in INGEST_ALLOWED_HOSTS' });
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect that refuses a name when any of its addresses is not allowed,
 * so the check and the connection use the same resolution.
 */
export function guardedLookup(policy: HostPolicy = DEFAULT_HOST_POLICY) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      try {
        if (addresses.length === 0) throw SourceErrors.connectFailed(hostname, 'no address');
        for (const a of addresses) checkAddress(hostname, a.address, policy);
      } catch (e) {
        return callback(e as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/** Resolves a host (database sources) and checks every address; answers them in DNS order. */
export async function resolveAllowed(host: string, policy: HostPolicy = DEFAULT_HOST_POLICY): Promise<LookupAddress[]> {
  checkHostName(host, policy);
  const hostname = bareHost(host);
  const ip = normalizeIp(hostname);
  if (ip) return [{ address: ip.address, family: ip.family === 'ipv4' ? 4 : 6 }];
  return new Promise((resolve, reject) =>
    guardedLookup(policy)(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses as LookupAddress[]))),
  );
}

const CHECK_ORDER: AddressClass[] = ['unspecified', 'loopback', 'metadata', 'link-local', 'multicast', 'reserved', 'private'];

function classify(address: string, family: 'ipv4' | 'ipv6'): AddressClass {
  for (const cls of CHECK_ORDER) if (classLists.get(cls)!.check(address, family)) return cls;
  return 'public';
}

function nameMatches(hostname: string, policy: HostPolicy): boolean {
  const h = toAscii(hostname.toLowerCase().replace(/\.$/, ''));
  return policy.names.has(h) || policy.wildcards.some((suffix) => h.endsWith(suffix) && h.length > suffix.length);
}

function bareHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

function toAscii(host: string): string {
  try {
    return new URL(`http://${host}`).hostname || host;
  } catch {
    return host;
  }
}

/** Canonical form of an IP literal (IPv4-mapped IPv6 becomes IPv4), or undefined for a name. */
export function normalizeIp(value: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const bare = bareHost(value);
  const kind = isIP(bare);
  if (kind === 4) return { address: bare, family: 'ipv4' };
  if (kind !== 6) return undefined;
  let canonical: string;
  try {
    canonical = new URL(`http://[${bare}]`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped) {
    const hi = parseInt(mapped[1], 16);
    const lo = parseInt(mapped[2], 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  return { address: canonical, family: 'ipv6' };
}
