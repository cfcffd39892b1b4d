import { seededRandom as random } from '@gov/shared';
import { AccessFact, AlertCandidate, CountFilter, DEFAULT_RULES, evaluate, evaluateBatch, evaluateEach, mergeRules, RuleContext, Subject } from './alert-rules';

const MINUTE = 60_000;
const OFFSET = 480; // UTC+8

const matches = (f: AccessFact, s: Subject) => (s.column === 'app_id' ? f.appId === s.id : f.actorId === s.id);
const passes = (f: AccessFact, only?: CountFilter) =>
  only === 'denied' ? f.outcome === 'denied' : only === 'personal' ? f.outcome === 'allowed' && f.personalData : only === 'download' ? f.outcome === 'allowed' && f.kind === 'download' : true;

/** The log as PostgreSQL would answer the rules' questions about it, counting the questions. */
function memoryContext(log: AccessFact[]): RuleContext & { counts: number } {
  const select = (s: Subject, from: Date, to: Date, only?: CountFilter) => log.filter((f) => matches(f, s) && f.at >= from && f.at < to && passes(f, only)).sort((x, y) => x.seq - y.seq);
  const ctx = {
    counts: 0,
    utcOffsetMinutes: OFFSET,
    grant: async () => undefined,
    async count(s: Subject, from: Date, to: Date, only?: CountFilter) {
      ctx.counts++;
      const list = select(s, from, to, only);
      return { accesses: list.length, rows: list.reduce((n, f) => n + f.rowCount, 0), seqs: list.slice(0, 200).map((f) => f.seq) };
    },
    async records(s: Subject, from: Date, to: Date, only?: CountFilter) {
      ctx.counts++;
      return select(s, from, to, only).map((f) => ({ seq: f.seq, at: f.at, rows: f.rowCount }));
    },
    async dailyCounts(s: Subject, dayStart: Date, days: number) {
      const counts = new Array<number>(days).fill(0);
      const from = dayStart.getTime() - days * 86_400_000;
      for (const f of log) if (matches(f, s) && f.at.getTime() >= from && f.at < dayStart && f.eventName !== 'audit.access.refused') counts[Math.floor((f.at.getTime() - from) / 86_400_000)]++;
      return counts;
    },
  };
  return ctx;
}

function generateLog(seed: number, n: number): AccessFact[] {
  const r = random(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  let at = Date.parse('2026-11-20T20:00:00+08:00');
  const log: AccessFact[] = [];
  for (let seq = 1; seq <= n; seq++) {
    // Bursts and gaps: several accesses in the same millisecond, minutes apart, or hours apart.
    at += pick([0, 1, 1000, 20_000, 20_000, MINUTE, 3 * MINUTE, 7 * MINUTE, 40 * MINUTE, 5 * 60 * MINUTE]);
    const app = r() < 0.5 ? pick(['app-a', 'app-b']) : null;
    const denied = r() < 0.3;
    log.push({
      seq,
      at: new Date(at),
      eventName: app ? 'open.data.accessed' : r() < 0.1 ? 'audit.access.refused' : 'sharing.data.accessed',
      actorType: app ? 'app' : 'user',
      actorId: app ?? pick(['u-1', 'u-2', 'u-3']),
      appId: app,
      keyPrefix: app ? `gk_${app}` : null,
      deptId: null,
      datasetId: 'd-1',
      grantId: null,
      kind: !denied && r() < 0.4 ? 'download' : 'records',
      outcome: denied ? 'denied' : 'allowed',
      reasonCode: denied ? 'NO_GRANT' : null,
      fields: [],
      rowCount: denied ? 0 : Math.floor(r() * 6000),
      personalData: !denied && r() < 0.4,
    });
  }
  return log;
}

const params = mergeRules({
  volume_spike: { factor: 2, minAccesses: 6, baselineDays: 2 },
  bulk_download: { windowMinutes: 30, maxDownloads: 3, maxRows: 12_000 },
  repeated_denials: { windowMinutes: 10, threshold: 3 },
  personal_data_reads: { maxAccessesPerDay: 4, maxRowsPerDay: 12_000 },
});

/** Each record alone, in log order; a situation is raised once (ON CONFLICT DO NOTHING), by its first record. */
async function perRecord(log: AccessFact[]): Promise<Map<string, AlertCandidate>> {
  const ctx = memoryContext(log);
  const raised = new Map<string, AlertCandidate>();
  for (const f of log) for (const c of await evaluate(f, ctx, params)) if (!raised.has(c.dedupeKey)) raised.set(c.dedupeKey, c);
  return raised;
}

/** As the service runs them: random batches, the counting rules once per batch. */
async function inBatches(log: AccessFact[], seed: number): Promise<{ raised: Map<string, AlertCandidate>; counts: number }> {
  const r = random(seed);
  const ctx = memoryContext(log);
  const raised = new Map<string, AlertCandidate>();
  const raisedAmong = async (keys: string[]) => new Set(keys.filter((k) => raised.has(k)));
  for (let i = 0; i < log.length; ) {
    const batch = log.slice(i, (i += 1 + Math.floor(r() * 60)));
    const found: AlertCandidate[] = [];
    for (const f of batch) found.push(...(await evaluateEach(f, ctx, params)));
    found.push(...(await evaluateBatch(batch, ctx, params, raisedAmong)));
    for (const c of found) if (!raised.has(c.dedupeKey)) raised.set(c.dedupeKey, c);
  }
  return { raised, counts: ctx.counts };
}

describe('alert rules over a batch', () => {
  it.each([1, 2, 3, 4, 5, 6])('raise the same situations as each record alone (seed %i)', async (seed) => {
    const log = generateLog(seed, 600);
    const expected = await perRecord(log);
    const { raised } = await inBatches(log, seed * 7);
    expect([...raised.keys()].sort()).toEqual([...expected.keys()].sort());
    // Every rule fired in the run, or the comparison proves little.
    expect(new Set([...expected.values()].map((c) => c.rule))).toEqual(new Set(['volume_spike', 'bulk_download', 'unusual_hours', 'repeated_denials', 'personal_data_reads']));
    // Sliding windows are evaluated record by record, so the alert is the very same one.
    for (const [key, c] of raised) if (c.rule === 'bulk_download' || c.rule === 'repeated_denials') expect(c).toEqual(expected.get(key));
    // A day's count only grows: the batch reports it at its latest record, never below the threshold.
    for (const c of raised.values()) if (c.rule === 'personal_data_reads') expect(Number(c.subject.reads) > 4 || Number(c.subject.rows) > 12_000).toBe(true);
  });

  it('counts once per situation and batch, not once per record (one busy app)', async () => {
    const start = Date.parse('2026-11-23T09:00:00+08:00');
    const log: AccessFact[] = Array.from({ length: 5000 }, (_, i) => ({
      ...generateLog(1, 1)[0],
      seq: i + 1,
      at: new Date(start + i * 100),
      eventName: 'open.data.accessed',
      actorType: 'app',
      actorId: 'app-busy',
      appId: 'app-busy',
      outcome: 'allowed',
      kind: 'records',
      personalData: false,
    }));
    const quiet = { ...params, volume_spike: { ...DEFAULT_RULES.volume_spike, minAccesses: 1_000_000 } };
    const ctx = memoryContext(log);
    for (let i = 0; i < log.length; i += 500) await evaluateBatch(log.slice(i, i + 500), ctx, quiet, async () => new Set());
    // Ten batches, one subject-day each: ten counts (per record it would be 5,000).
    expect(ctx.counts).toBe(10);
    // A situation already raised is not counted again.
    const after = memoryContext(log);
    await evaluateBatch(log.slice(0, 500), after, quiet, async (keys) => new Set(keys));
    expect(after.counts).toBe(0);
  });
});
