import { SourceError } from '../pipeline/contracts';
import { checkAddress, checkEndpointUrl, DEFAULT_HOST_POLICY, normalizeIp, parseAllowedHosts, resolveAllowed } from './host-policy';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    return (err as SourceError).code;
  }
}

describe('host policy', () => {
  it('refuses schemes other than http and https, whatever the configuration', () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'gopher://example.com', 'data:text/plain,hi', 'javascript:alert(1)'])
      expect(code(() => checkEndpointUrl(url, parseAllowedHosts('*')))).toBe('PULL_HOST_NOT_ALLOWED');
    expect(code(() => checkEndpointUrl('not a url'))).toBe('PULL_BAD_URL');
  });

  it('refuses credentials in the URL (they belong in the encrypted headers)', () => {
    expect(code(() => checkEndpointUrl('https://user:pw@api.example.com/x'))).toBe('PULL_BAD_URL');
  });

  it('refuses metadata, link-local, unspecified, multicast and reserved addresses by default', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://[fe80::1]/',
      'http://0.0.0.0:8080/',
      'http://[::]/',
      'http://224.0.0.1/',
      'http://255.255.255.255/',
      // the same metadata address spelt otherwise
      'http://2852039166/',
      'http://0xA9FEA9FE/',
      'http://169.254.169.254./',
      'http://[::ffff:169.254.169.254]/',
      'http://[::ffff:a9fe:a9fe]/',
    ])
      expect([url, code(() => checkEndpointUrl(url))]).toEqual([url, 'PULL_HOST_NOT_ALLOWED']);
  });

  it('refuses loopback unless its name is listed exactly', () => {
    expect(code(() => checkEndpointUrl('http://127.0.0.1:3000/'))).toBe('PULL_HOST_NOT_ALLOWED');
    expect(code(() => checkEndpointUrl('http://[::1]/'))).toBe('PULL_HOST_NOT_ALLOWED');
    expect(code(() => checkAddress('localhost', '127.0.0.1'))).toBe('PULL_HOST_NOT_ALLOWED');
    expect(code(() => checkAddress('localhost', '127.0.0.1', parseAllowedHosts('*')))).toBe('PULL_HOST_NOT_ALLOWED');
    expect(code(() => checkAddress('localhost', '127.0.0.1', parseAllowedHosts('localhost')))).toBeUndefined();
    expect(code(() => checkEndpointUrl('http://127.0.0.1:3000/', parseAllowedHosts('127.0.0.1')))).toBeUndefined();
    // a name that merely resolves to loopback is refused
    expect(code(() => checkAddress('evil.example.com', '127.0.0.1', parseAllowedHosts('*.example.com')))).toBe('PULL_HOST_NOT_ALLOWED');
  });

  it('allows public and private (government intranet) addresses by default', () => {
    expect(code(() => checkEndpointUrl('https://data.dept.gov.cn/api'))).toBeUndefined();
    expect(code(() => checkEndpointUrl('http://10.20.30.40:8080/api'))).toBeUndefined();
    expect(code(() => checkEndpointUrl('http://192.168.1.10/api'))).toBeUndefined();
    expect(code(() => checkAddress('api.dept', '172.16.5.5', DEFAULT_HOST_POLICY))).toBeUndefined();
  });

  it('with INGEST_ALLOWED_HOSTS set, allows only the listed names, wildcards and ranges', () => {
    const policy = parseAllowedHosts('api.dept.gov.cn, *.data.gov.cn, 10.12.0.0/16, 192.168.7.9');
    expect(code(() => checkEndpointUrl('https://API.dept.gov.cn/x', policy))).toBeUndefined();
    expect(code(() => checkEndpointUrl('https://a.b.data.gov.cn/x', policy))).toBeUndefined();
    expect(code(() => checkEndpointUrl('https://data.gov.cn/x', policy))).toBeUndefined(); // a name: checked on its addresses
    expect(code(() => checkAddress('data.gov.cn', '8.8.8.8', policy))).toBe('PULL_HOST_NOT_ALLOWED');
    expect(code(() => checkAddress('other.example.com', '10.12.3.4', policy))).toBeUndefined();
    expect(code(() => checkAddress('other.example.com', '10.13.3.4', policy))).toBe('PULL_HOST_NOT_ALLOWED');
    expect(code(() => checkEndpointUrl('http://192.168.7.9/', policy))).toBeUndefined();
    expect(code(() => checkEndpointUrl('http://192.168.7.10/', policy))).toBe('PULL_HOST_NOT_ALLOWED');
    // listed names still may not resolve to metadata addresses
    expect(code(() => checkAddress('api.dept.gov.cn', '169.254.169.254', policy))).toBe('PULL_HOST_NOT_ALLOWED');
  });

  it('a name-only list refuses other names before any lookup', () => {
    const policy = parseAllowedHosts('api.dept.gov.cn');
    expect(code(() => checkEndpointUrl('https://evil.example.com/', policy))).toBe('PULL_HOST_NOT_ALLOWED');
  });

  it('an IP/CIDR entry may open a refused address on purpose', () => {
    expect(code(() => checkEndpointUrl('http://169.254.10.10/', parseAllowedHosts('169.254.10.0/24')))).toBeUndefined();
  });

  it('refuses a bad INGEST_ALLOWED_HOSTS entry', () => {
    expect(() => parseAllowedHosts('api.dept.gov.cn, http://x')).toThrow(SourceError);
    expect(() => parseAllowedHosts('10.0.0.0/33')).toThrow(SourceError);
  });

  it('normalizes IP literals', () => {
    expect(normalizeIp('[::ffff:7f00:1]')).toEqual({ address: '127.0.0.1', family: 'ipv4' });
    expect(normalizeIp('example.com')).toBeUndefined();
  });

  it('checks the addresses a database host resolves to', async () => {
    await expect(resolveAllowed('localhost')).rejects.toMatchObject({ code: 'PULL_HOST_NOT_ALLOWED' });
    await expect(resolveAllowed('localhost', parseAllowedHosts('localhost'))).resolves.not.toHaveLength(0);
    await expect(resolveAllowed('169.254.169.254')).rejects.toMatchObject({ code: 'PULL_HOST_NOT_ALLOWED' });
  });
});
