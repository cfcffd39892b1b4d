import { MemoryKeyValueStore } from '@gov/shared';
import { msUntilShanghaiMidnight, RateLimiter } from './rate-limiter';

describe('rate limiter', () => {
  it('refuses past the per-second limit with Retry-After, then lets the next second through', async () => {
    let now = Date.UTC(2026, 0, 5, 2, 0, 0, 100);
    const limiter = new RateLimiter(new MemoryKeyValueStore(() => now), () => now);
    const limits = { perSecond: 3, perDay: 100, maxDownloadRows: 1 };
    for (let i = 0; i < 3; i++) expect((await limiter.check({ kind: 'app', id: 'a' }, limits)).allowed).toBe(true);
    const refused = await limiter.check({ kind: 'app', id: 'a' }, limits);
    expect(refused).toMatchObject({ allowed: false, refusedBy: 'second' });
    expect(refused.headers['Retry-After']).toBe('1');
    expect(refused.headers['RateLimit-Remaining']).toBe('0');
    expect((await limiter.check({ kind: 'app', id: 'b' }, limits)).allowed).toBe(true);
    now += 1000;
    const next = await limiter.check({ kind: 'app', id: 'a' }, limits);
    expect(next.allowed).toBe(true);
    expect(next.usedToday).toBe(4);
  });

  it('warns once at 80% of the daily quota and refuses above it until Shanghai midnight', async () => {
    let now = Date.UTC(2026, 0, 5, 15, 0, 0); // 23:00 in Shanghai
    const limiter = new RateLimiter(new MemoryKeyValueStore(() => now), () => now);
    const limits = { perSecond: 1000, perDay: 10, maxDownloadRows: 1 };
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await limiter.check({ kind: 'ip', id: '1.2.3.4' }, limits));
    expect(results.map((r) => r.crossedWarning)).toEqual([false, false, false, false, false, false, false, true, false, false, false]);
    expect(results[8].headers['X-Quota-Warning']).toContain('9/10');
    expect(results[10]).toMatchObject({ allowed: false, refusedBy: 'day' });
    expect(results[10].headers['Retry-After']).toBe('3600');
    now += 3_600_000;
    expect((await limiter.check({ kind: 'ip', id: '1.2.3.4' }, limits)).allowed).toBe(true);
  });

  it('computes the time to Shanghai midnight', () => {
    expect(msUntilShanghaiMidnight(Date.UTC(2026, 0, 5, 16, 0, 0))).toBe(86_400_000);
    expect(msUntilShanghaiMidnight(Date.UTC(2026, 0, 5, 15, 59, 59))).toBe(1000);
  });
});
