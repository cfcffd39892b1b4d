import { documentGrams, normalizeSearchText, queryTerms } from '@gov/shared';
import { GramIds } from './gram-ids';
import { IndexedEntry, MemorySearchIndex } from './memory-search-index';
import { compareCodePoints, isCodePointCollation, lowerModeOf, pgLower } from './pg-text';
import { TextColumn } from './text-column';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}

const ALPHABET = [...'营业执照企业证信息数据登记监测abcXYZ019 ,，、ＡＢＣ１２（）İΣσς\u0301e\u00e9', '𠀋', '😀', '\ue000', '\uffee'];
const randomText = (r: ReturnType<typeof rng>, max = 12) => Array.from({ length: Math.floor(r.next() * max) }, () => r.pick(ALPHABET)).join('');

describe('GramIds', () => {
  it('gives exactly the grams of documentGrams', () => {
    const r = rng(1);
    const ids = new GramIds();
    for (let i = 0; i < 2000; i++) {
      const texts = Array.from({ length: 1 + Math.floor(r.next() * 4) }, () => randomText(r));
      const mine = new Set<number>();
      for (const t of texts) ids.each(t, (id) => mine.add(id));
      const theirs = new Set(documentGrams(...texts).map((g) => ids.find(g)));
      expect([...mine].sort()).toEqual([...theirs].sort());
      expect(theirs.has(undefined)).toBe(false);
    }
  });

  it('finds query grams, and nothing for grams never seen', () => {
    const ids = new GramIds();
    ids.each('营业执照号', () => undefined);
    for (const term of queryTerms('营业 执照 照号 营')) for (const g of term.grams) expect(ids.find(g)).toBeDefined();
    expect(ids.find('执营')).toBeUndefined();
    expect(ids.find('证')).toBeUndefined();
  });
});

describe('PostgreSQL text semantics', () => {
  it('lower() maps one character at a time (C.UTF-8), or ASCII only (C)', () => {
    expect(pgLower('İstanbul ΑΣ ÀB ＡＢ')).toBe('istanbul ασ àb ａｂ');
    expect(pgLower('营业执照')).toBe('营业执照');
    expect(pgLower('ABC Ä', 'ascii')).toBe('abc Ä');
    expect(lowerModeOf('C')).toBe('ascii');
    expect(lowerModeOf('C.UTF-8')).toBe('unicode');
    expect(isCodePointCollation('C.UTF-8')).toBe(true);
    expect(isCodePointCollation('zh_CN.UTF-8')).toBe(false);
  });

  it('orders strings by code point, like the bytes of UTF-8', () => {
    const r = rng(2);
    const strings = Array.from({ length: 400 }, () => randomText(r, 5));
    const byBytes = [...strings].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect([...strings].sort(compareCodePoints)).toEqual(byBytes);
    expect(compareCodePoints('\uffee', '😀')).toBeLessThan(0); // JavaScript's < says the opposite
  });
});

describe('TextColumn', () => {
  it('finds the values containing a term, across chunks and in the open chunk', () => {
    const r = rng(3);
    const values = Array.from({ length: 3000 }, () => randomText(r, 20));
    const column = new TextColumn();
    for (const v of values) column.push(v);
    for (let i = 0; i < values.length; i += 97) expect(column.get(i)).toBe(values[i]);
    for (const term of ['营业', '证', 'ab', 'ＡＢ', 'e\u0301', '😀', '信息数据']) {
      const slots = Int32Array.from(values.keys()).filter(() => r.next() < 0.6);
      const found: number[] = [];
      column.scan(slots, term, (s) => found.push(s));
      expect(found).toEqual([...slots].filter((s) => values[s].includes(term)));
    }
  });
});

describe('MemorySearchIndex', () => {
  const DEPT_A = 'aaaaaaaa-0000-4000-8000-000000000001';
  const DEPT_B = 'bbbbbbbb-0000-4000-8000-000000000002';
  let n = 0;
  const entry = (o: Partial<IndexedEntry> & { name: string }): IndexedEntry => {
    const e: IndexedEntry = {
      entryId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
      deptId: DEPT_A,
      deptName: '示范市市场监督管理局',
      status: 'published',
      version: 1,
      resourceCode: null,
      abstract: '',
      itemNames: [],
      tags: [],
      haystack: '',
      domainCode: '01',
      classCode: '1',
      shareType: 'UNCONDITIONAL',
      openType: 'UNCONDITIONAL',
      formatClass: '3',
      updateCycle: 'DAILY',
      securityGrade: 'L1',
      publishedUs: 1_700_000_000_000_000 + n,
      updatedUs: 1_700_000_000_000_000 + n,
      ...o,
    };
    e.haystack = normalizeSearchText([e.name, e.abstract, e.itemNames.join(' '), e.deptName, e.tags.join(' '), e.resourceCode ?? ''].join('\u0001'));
    return e;
  };
  const domains = new Map([['01', '市场监管']]);
  const ids = (index: MemorySearchIndex, q: string, extra: object = {}, scope: { all: true } | { all: false; deptIds: string[] } = { all: true }) =>
    index.search(scope, { q, pageSize: 100, ...extra }, domains).hits.map((h) => h.name);

  it('replaces an entry: its old grams no longer find it, its new ones do', () => {
    const index = new MemorySearchIndex();
    const e = entry({ name: '营业执照信息', itemNames: ['营业执照号'] });
    index.upsert(e);
    index.upsert(entry({ name: '食品经营许可' }));
    expect(ids(index, '营业执照')).toEqual(['营业执照信息']);
    index.upsert({ ...e, name: '古树名木名录', itemNames: ['树种'], haystack: normalizeSearchText('古树名木名录\u0001\u0001树种\u0001示范市市场监督管理局\u0001\u0001'), updatedUs: e.updatedUs + 1 });
    expect(ids(index, '营业执照')).toEqual([]);
    expect(ids(index, '执照')).toEqual([]);
    expect(ids(index, '树种')).toEqual(['古树名木名录']);
    expect(ids(index, '')).toEqual(['食品经营许可', '古树名木名录']); // newest first
    expect(index.entries).toBe(2);
    expect(index.isCurrent(e.entryId, e.updatedUs + 1)).toBe(true);
    expect(index.isCurrent(e.entryId, e.updatedUs)).toBe(false);
    expect(index.remove(e.entryId)).toBe(true);
    expect(ids(index, '树种')).toEqual([]);
    expect(index.entries).toBe(1);
  });

  it('matches like gram containment plus the haystack substring, with lists, bitmaps and dead slots mixed', () => {
    const r = rng(4);
    const index = new MemorySearchIndex();
    const live = new Map<string, IndexedEntry>();
    const WORDS = ['营业执照', '企业', '登记', '信息', '证', '许可证', '监测数据', '食品', 'api', 'ＡＰＩ'];
    for (let i = 0; i < 6000; i++) {
      // a third of the operations replace an existing entry (so dead slots and compactions happen)
      const old = live.size > 0 && r.next() < 0.33 ? [...live.values()][Math.floor(r.next() * live.size)] : undefined;
      const e = entry({
        name: `${r.pick(WORDS)}${r.pick(WORDS)}`,
        abstract: `${r.pick(WORDS)}，${r.pick(WORDS)}`,
        itemNames: [r.pick(WORDS), r.pick(WORDS)],
        status: r.pick(['published', 'published', 'draft']),
        deptId: r.pick([DEPT_A, DEPT_B]),
        ...(old ? { entryId: old.entryId } : {}),
      });
      index.upsert(e);
      live.set(e.entryId, e);
    }
    expect(index.entries).toBe(live.size);
    expect(index.stats().deadSlots).toBeLessThanOrEqual(4096);
    for (const q of ['营业执照', '企业 登记', '证', '许可证 信息', 'api', '执照企', '据食']) {
      const terms = queryTerms(q);
      const expected = [...live.values()]
        .filter((e) => e.status === 'published')
        .filter((e) => {
          const grams = new Set(documentGrams(e.name, e.abstract, ...e.itemNames, e.deptName, ...e.tags, e.resourceCode ?? ''));
          return terms.every((t) => t.grams.every((g) => grams.has(g)) && e.haystack.includes(t.text));
        })
        .map((e) => e.entryId)
        .sort();
      const result = index.search({ all: true }, { q, sort: 'name', pageSize: 100, page: 1 }, domains);
      expect(result.total).toBe(expected.length);
      const all: string[] = [];
      for (let page = 1; (page - 1) * 100 < result.total; page++) all.push(...index.search({ all: true }, { q, sort: 'updated', pageSize: 100, page }, domains).hits.map((h) => h.entryId));
      expect(all.sort()).toEqual(expected);
    }
  });

  it('shows drafts to their department only, retired entries to everyone', () => {
    const index = new MemorySearchIndex();
    index.upsert(entry({ name: '草稿甲', status: 'draft', deptId: DEPT_A }));
    index.upsert(entry({ name: '草稿乙', status: 'draft', deptId: DEPT_B }));
    index.upsert(entry({ name: '已废止草稿', status: 'retired', deptId: DEPT_B }));
    expect(ids(index, '草稿', { status: 'draft' }, { all: false, deptIds: [DEPT_A] })).toEqual(['草稿甲']);
    expect(ids(index, '草稿', { status: 'draft' }, { all: false, deptIds: [DEPT_A.toUpperCase(), DEPT_B] }).sort()).toEqual(['草稿乙', '草稿甲']);
    expect(ids(index, '草稿', { status: 'draft' }, { all: true }).length).toBe(2);
    expect(ids(index, '草稿', {}, { all: false, deptIds: [] })).toEqual([]);
    expect(ids(index, '草稿', { status: 'retired' }, { all: false, deptIds: [DEPT_A] })).toEqual(['已废止草稿']);
  });

  it('scores name 10, item 4, abstract 2, department 3 per term, then newest first, then entry id', () => {
    const index = new MemorySearchIndex();
    const t = 1_700_000_000_000_000;
    const abstract = entry({ name: '其他', abstract: '许可', publishedUs: t + 5 }); // 2
    const item = entry({ name: '其他', itemNames: ['许可证号'], publishedUs: t + 1 }); // 4
    const name = entry({ name: '许可信息', publishedUs: t }); // 10
    const dept = entry({ name: '其他', deptName: '许可审批局', publishedUs: t + 9 }); // 3
    const unpublished = entry({ name: '其他', abstract: '许可', publishedUs: null }); // 2, unpublished last
    const sameInstant = entry({ name: '其他', abstract: '许可', publishedUs: t + 5 }); // 2, same instant: by entry id
    for (const e of [abstract, item, name, dept, unpublished, sameInstant]) index.upsert(e);
    const hits = index.search({ all: true }, { q: '许可' }, domains).hits;
    expect(hits.map((h) => h.entryId)).toEqual([name, item, dept, abstract, sameInstant, unpublished].map((e) => e.entryId));
    expect(hits[1].matchedItems).toEqual(['许可证号']);
    expect(hits[5].publishedAt).toBeNull();
    expect(hits[0].publishedAt).toBe(new Date(Math.floor(t / 1000)).toISOString());
  });
});
