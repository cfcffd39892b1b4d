import { MASK, maskUrlQuery, redactDbSourceConfig, redactHttpSourceConfig, redactUrl } from './redact';

describe('redaction', () => {
  it('shows an endpoint by scheme, host and path only', () => {
    expect(redactUrl('https://u:p@api.dept.gov.cn:8443/v1/list?appKey=SECRET#x')).toBe('https://api.dept.gov.cn:8443/v1/list');
  });

  it('masks header, query and URL query values of an HTTP source', () => {
    const shown = redactHttpSourceConfig({
      url: 'https://api.dept.gov.cn/v1?appKey=SECRET1&size=10',
      headers: { Authorization: 'Bearer SECRET2' },
      query: { token: 'SECRET3' },
      format: 'json',
    });
    const text = JSON.stringify(shown);
    for (const s of ['SECRET1', 'SECRET2', 'SECRET3']) expect(text).not.toContain(s);
    expect(shown.headers).toEqual({ Authorization: MASK });
    expect(shown.url).toBe('https://api.dept.gov.cn/v1?appKey=***&size=***');
    expect(maskUrlQuery('nonsense')).toBe('(invalid URL)');
  });

  it('masks the password of a database source', () => {
    const withPassword: { host: string; password?: string } = { host: 'db', password: 'SECRET' };
    const without: { host: string; password?: string } = { host: 'db' };
    expect(redactDbSourceConfig(withPassword)).toEqual({ host: 'db', password: MASK });
    expect(redactDbSourceConfig(without)).toEqual({ host: 'db' });
  });
});
