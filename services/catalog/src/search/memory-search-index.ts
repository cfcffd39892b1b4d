import { DepartmentScope, QueryTerm, queryTerms } from '@gov/shared';
import { FacetBucket, SearchEntriesQuery, SearchHit, SearchResult, SearchSort } from './dto/search.dto';
import { EntrySlots } from './entry-slots';
import { GramIds } from './gram-ids';
import { compareCodePoints, LowerMode, pgLower } from './pg-text';
import { TextColumn } from './text-column';
import { emptyFacets, FACET_NAMES, FacetName, facetLabel, FILTERS, sortBuckets, sortOf } from './search-facets';

/** One row of catalog.entry_search, as the index keeps it (the columns the search reads). */
export interface IndexedEntry {
  entryId: string;
  deptId: string;
  deptName: string;
  status: string;
  version: number;
  resourceCode: string | null;
  name: string;
  abstract: string;
  itemNames: readonly string[];
  tags: readonly string[];
  /** `haystack` as SearchIndexWriter stored it: normalizeSearchText of name, abstract, items, department, tags, code. */
  haystack: string;
  domainCode: string | null;
  classCode: string | null;
  shareType: string | null;
  openType: string | null;
  formatClass: string | null;
  updateCycle: string | null;
  securityGrade: string | null;
  /** Microseconds since the epoch (PostgreSQL's precision), null when unpublished. */
  publishedUs: number | null;
  updatedUs: number;
  /** The row version's xmin, when known: with updated_at, tells whether a row read again is the version indexed. */
  xmin?: number;
}

export interface MemoryIndexStats {
  entries: number;
  /** Slots of replaced entries not reclaimed yet (their postings are skipped). */
  deadSlots: number;
  grams: number;
  /** Doc ids in the posting lists and bitmaps. */
  postings: number;
  bitmapGrams: number;
  postingBytes: number;
  columnBytes: number;
  /** Estimated size of the strings kept (ids, names, abstracts, items, haystacks), V8 layout. */
  stringBytes: number;
  totalBytes: number;
}

/** A dictionary of the values of one column: code 0 is NULL. */
class Dict {
  private readonly codes = new Map<string, number>();
  readonly values: (string | null)[] = [null];
  code(value: string | null): number {
    if (value === null) return 0;
    let c = this.codes.get(value);
    if (c === undefined) {
      c = this.values.length;
      this.values.push(value);
      this.codes.set(value, c);
    }
    return c;
  }
  find(value: string): number | undefined {
    return this.codes.get(value);
  }
  get size(): number {
    return this.values.length;
  }
}

/**
 * The documents of one gram: a sorted list of slots while it is sparse, a bitmap once it is in
 * more than 1/32 of the slots (then the bitmap is the smaller of the two). `df` counts both
 * live and dead slots.
 */
interface Postings {
  list: Int32Array | null;
  bits: Uint32Array | null;
  df: number;
}

type Column = Int32Array | Uint16Array;
const COLUMN_OF: Record<FacetName, keyof IndexedEntry> = {
  domain: 'domainCode',
  dept: 'deptId',
  classCode: 'classCode',
  shareType: 'shareType',
  openType: 'openType',
  format: 'formatClass',
  updateCycle: 'updateCycle',
  grade: 'securityGrade',
};
/** Facets with open-ended values get 32-bit codes; the enumerated ones 16-bit (widened if ever needed). */
const WIDE: ReadonlySet<FacetName> = new Set(['domain', 'dept']);
const SEP = '\u0000'; // PostgreSQL text never contains NUL: a safe separator for item names

/**
 * In-memory catalog search: the same results as SqlSearch (search-and-statistics semantics) from
 * dense integer document slots, dictionary-coded facet columns and a gram → slots inverted index.
 *
 * Updates: a changed entry gets a new slot at the end (so posting lists stay sorted by appending)
 * and its old slot is marked dead; searches skip dead slots. When dead slots exceed a quarter of
 * the live ones (and 4,096), `compact()` renumbers the live slots and rewrites every posting list
 * and column without them, so memory stays proportional to the live entries.
 */
export class MemorySearchIndex {
  private capacity = 0;
  /** Slots handed out; slot ids are 0..size-1. */
  private size = 0;
  private live = 0;
  private alive = new Uint8Array(0);
  private statusCode = new Uint16Array(0);
  private deptNameCode = new Int32Array(0);
  private version = new Int32Array(0);
  private published = new Float64Array(0);
  private updated = new Float64Array(0);
  private xmin = new Uint32Array(0);
  private readonly columns = {} as Record<FacetName, Column>;
  private readonly dicts = {} as Record<FacetName, Dict>;
  private readonly statuses = new Dict();
  private readonly deptNames = new Dict();

  /** Entry id ↔ slot. */
  private readonly ids = new EntrySlots();
  private hasCode = new Uint8Array(0);
  private names = new TextColumn();
  /** resource_code ('' where hasCode is 0: NULL). */
  private codes = new TextColumn();
  /** Order of the names (equal names, equal rank) for the slots below `ranked`; later slots compare their names. */
  private nameRank = new Int32Array(0);
  private ranked = 0;
  /** The texts the search scans, by slot: lower() of name, abstract and items (NUL-separated), the haystack. */
  private lowerNames = new TextColumn();
  private lowerAbstracts = new TextColumn();
  private lowerItems = new TextColumn();
  private haystacks = new TextColumn();
  /** Abstract and items as written, for the slots where lower() changed them (else the lower-case text is the text). */
  private abstractOf = new Map<number, string>();
  private itemsOf = new Map<number, string>();

  private readonly grams = new GramIds();
  /** By gram id. */
  private postings: Postings[] = [];
  /** By gram id: the last slot the gram was added for (a gram comes several times per entry). */
  private marks = new Int32Array(0);
  private adding = -1;
  private readonly addGram = (id: number): void => {
    if (id === this.postings.length) {
      this.postings.push({ list: new Int32Array(4), bits: null, df: 0 });
      if (id >= this.marks.length) {
        const marks = new Int32Array(Math.max(1024, this.marks.length * 2)).fill(-1);
        marks.set(this.marks);
        this.marks = marks;
      }
    }
    if (this.marks[id] === this.adding) return;
    this.marks[id] = this.adding;
    this.append(this.postings[id], this.adding);
  };

  constructor(private readonly lowerMode: LowerMode = 'unicode') {
    for (const f of FACET_NAMES) {
      this.dicts[f] = new Dict();
      this.columns[f] = WIDE.has(f) ? new Int32Array(0) : new Uint16Array(0);
    }
  }

  get entries(): number {
    return this.live;
  }

  /** Whether the entry is indexed in this version of its row (updated_at in µs, xmin). */
  isCurrent(entryId: string, updatedUs: number, xmin?: number): boolean {
    const slot = this.ids.get(entryId);
    return slot !== undefined && this.updated[slot] === updatedUs && this.xmin[slot] === (xmin ?? 0);
  }

  /** Adds or replaces an entry. */
  upsert(e: IndexedEntry): void {
    const old = this.ids.get(e.entryId);
    if (old !== undefined) this.kill(old);
    if (this.size === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    const slot = this.size++;
    this.ids.set(e.entryId, slot);
    this.alive[slot] = 1;
    this.statusCode[slot] = this.narrow(this.statuses.code(e.status));
    this.deptNameCode[slot] = this.deptNames.code(e.deptName);
    this.version[slot] = e.version;
    this.published[slot] = e.publishedUs ?? NaN;
    this.updated[slot] = e.updatedUs;
    this.xmin[slot] = e.xmin ?? 0;
    for (const f of FACET_NAMES) {
      const code = this.dicts[f].code(e[COLUMN_OF[f]] as string | null);
      if (code > 0xffff && this.columns[f] instanceof Uint16Array) this.columns[f] = Int32Array.from(this.columns[f]);
      this.columns[f][slot] = code;
    }
    const items = e.itemNames.join(SEP);
    const lowerAbstract = pgLower(e.abstract, this.lowerMode);
    const lowerItems = pgLower(items, this.lowerMode);
    this.names.push(e.name);
    this.codes.push(e.resourceCode ?? '');
    this.hasCode[slot] = e.resourceCode === null ? 0 : 1;
    this.lowerNames.push(pgLower(e.name, this.lowerMode));
    this.lowerAbstracts.push(lowerAbstract);
    this.lowerItems.push(lowerItems);
    this.haystacks.push(e.haystack);
    if (lowerAbstract !== e.abstract) this.abstractOf.set(slot, e.abstract);
    if (lowerItems !== items) this.itemsOf.set(slot, items);
    this.live++;

    // The grams SearchIndexWriter stores: documentGrams(name, abstract, ...itemNames, deptName, ...tags, code).
    this.adding = slot;
    const { grams, addGram } = this;
    grams.each(e.name, addGram);
    grams.each(e.abstract, addGram);
    for (const item of e.itemNames) grams.each(item, addGram);
    grams.each(e.deptName, addGram);
    for (const tag of e.tags) grams.each(tag, addGram);
    grams.each(e.resourceCode ?? '', addGram);
    if (this.size - this.live > 4096 && this.size - this.live > this.live / 4) this.compact();
  }

  /** Removes an entry (catalog.entry_search rows are not deleted today; for completeness and tests). */
  remove(entryId: string): boolean {
    const slot = this.ids.get(entryId);
    if (slot === undefined) return false;
    this.kill(slot);
    this.ids.delete(entryId);
    return true;
  }

  private kill(slot: number): void {
    this.alive[slot] = 0;
    this.live--;
    // The slot's texts and postings go at the next compaction.
    this.abstractOf.delete(slot);
    this.itemsOf.delete(slot);
  }

  private narrow(code: number): number {
    if (code > 0xffff) throw new Error('more than 65,535 statuses');
    return code;
  }

  private grow(capacity: number): void {
    const grown = <T extends Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(capacity);
      b.set(a.subarray(0, Math.min(a.length, capacity)));
      return b;
    };
    this.alive = grown(this.alive);
    this.statusCode = grown(this.statusCode);
    this.deptNameCode = grown(this.deptNameCode);
    this.version = grown(this.version);
    this.published = grown(this.published);
    this.updated = grown(this.updated);
    this.xmin = grown(this.xmin);
    this.hasCode = grown(this.hasCode);
    for (const f of FACET_NAMES) this.columns[f] = grown(this.columns[f]);
    this.ids.reserve(capacity);
    this.capacity = capacity;
  }

  private append(p: Postings, slot: number): void {
    if (p.bits) {
      const word = slot >>> 5;
      if (word >= p.bits.length) {
        const bits = new Uint32Array(Math.max(word + 1, this.capacity >>> 5));
        bits.set(p.bits);
        p.bits = bits;
      }
      p.bits[word] |= 1 << (slot & 31);
      p.df++;
      return;
    }
    let list = p.list!;
    if (p.df === list.length) {
      const grown = new Int32Array(Math.ceil(list.length * 1.5) + 4);
      grown.set(list);
      p.list = list = grown;
    }
    list[p.df++] = slot;
    if (p.df * 32 > this.capacity && p.df >= 64) this.toBitmap(p);
  }

  private toBitmap(p: Postings): void {
    const bits = new Uint32Array(Math.max(this.capacity, this.size) + 31 >>> 5);
    const list = p.list!;
    for (let i = 0; i < p.df; i++) bits[list[i] >>> 5] |= 1 << (list[i] & 31);
    p.bits = bits;
    p.list = null;
  }

  /**
   * Renumbers the live slots 0..live-1 (keeping their order, so lists stay sorted), drops dead
   * slots from the columns and postings, then sizes every posting to its content. Also run after
   * the initial load to trim the lists' growth room.
   */
  compact(): void {
    const remap = new Int32Array(this.size).fill(-1);
    let n = 0;
    for (let s = 0; s < this.size; s++) if (this.alive[s]) remap[s] = n++;
    const keep = <T extends { [i: number]: unknown }>(a: T): T => {
      for (let s = 0; s < this.size; s++) if (remap[s] >= 0) a[remap[s]] = a[s];
      return a;
    };
    for (const a of [this.alive, this.statusCode, this.deptNameCode, this.version, this.published, this.updated, this.xmin, this.hasCode, ...FACET_NAMES.map((f) => this.columns[f])]) keep(a);
    const column = (old: TextColumn) => {
      const c = new TextColumn();
      for (let s = 0; s < this.size; s++) if (remap[s] >= 0) c.push(old.get(s));
      return c;
    };
    this.names = column(this.names);
    this.codes = column(this.codes);
    this.lowerNames = column(this.lowerNames);
    this.lowerAbstracts = column(this.lowerAbstracts);
    this.lowerItems = column(this.lowerItems);
    this.haystacks = column(this.haystacks);
    const renumber = (m: Map<number, string>) => new Map([...m].map(([slot, v]) => [remap[slot], v]));
    this.abstractOf = renumber(this.abstractOf);
    this.itemsOf = renumber(this.itemsOf);
    this.alive.fill(0, n);
    this.size = n;
    this.live = n;
    const capacity = Math.max(1024, n + (n >>> 3));
    if (capacity < this.capacity) {
      const shrink = <T extends Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array>(a: T): T => a.slice(0, capacity) as T;
      this.alive = shrink(this.alive);
      this.statusCode = shrink(this.statusCode);
      this.deptNameCode = shrink(this.deptNameCode);
      this.version = shrink(this.version);
      this.published = shrink(this.published);
      this.updated = shrink(this.updated);
      this.xmin = shrink(this.xmin);
      this.hasCode = shrink(this.hasCode);
      for (const f of FACET_NAMES) this.columns[f] = shrink(this.columns[f]);
      this.capacity = capacity;
    }
    this.ids.renumber(remap, n, this.capacity);
    this.rankNames();

    this.marks.fill(-1);
    const scratch = new Int32Array(n);
    for (const p of this.postings) {
      let df = 0;
      if (p.bits) {
        const bits = p.bits;
        for (let w = 0; w < bits.length; w++)
          for (let word = bits[w]; word !== 0; word &= word - 1) {
            const slot = remap[(w << 5) + (31 - Math.clz32(word & -word))];
            if (slot >= 0) scratch[df++] = slot;
          }
      } else {
        const list = p.list!;
        for (let i = 0; i < p.df; i++) {
          const slot = remap[list[i]];
          if (slot >= 0) scratch[df++] = slot;
        }
      }
      p.list = scratch.slice(0, df);
      p.bits = null;
      p.df = df;
      if (df * 32 > this.capacity && df >= 64) this.toBitmap(p);
    }
  }

  /** Ranks every slot's name (code point order), so that sorting by name compares integers. */
  private rankNames(): void {
    const slots = Array.from({ length: this.size }, (_, s) => s);
    const names = slots.map((s) => this.names.get(s));
    slots.sort((a, b) => compareCodePoints(names[a], names[b]));
    const rank = new Int32Array(this.size);
    for (let i = 1; i < slots.length; i++) rank[slots[i]] = names[slots[i]] === names[slots[i - 1]] ? rank[slots[i - 1]] : i;
    this.nameRank = rank;
    this.ranked = this.size;
  }

  /** Memory held by the index (typed arrays exactly, strings and maps estimated). */
  stats(): MemoryIndexStats {
    let postings = 0;
    let postingBytes = 0;
    let bitmapGrams = 0;
    let grams = 0;
    for (const p of this.postings) {
      if (p.df > 0) grams++;
      postings += p.df;
      postingBytes += 48 + (p.bits ? p.bits.byteLength : p.list!.byteLength) + 40; // + the object; gram dictionary entries
      if (p.bits) bitmapGrams++;
    }
    const columns = [this.alive, this.statusCode, this.deptNameCode, this.version, this.published, this.updated, this.xmin, this.hasCode, this.nameRank, ...FACET_NAMES.map((f) => this.columns[f])];
    const columnBytes = columns.reduce((n, a) => n + a.byteLength, 0);
    const seen = new Set<string>();
    let stringBytes = 0;
    const str = (v: string | null) => {
      if (v === null || v === '') return 0;
      return 16 + (/^[\x00-\xff]*$/.test(v) ? v.length : 2 * v.length);
    };
    stringBytes += this.ids.bytes();
    for (const m of [this.abstractOf, this.itemsOf]) for (const v of m.values()) stringBytes += str(v) + 40;
    for (const c of [this.names, this.codes, this.lowerNames, this.lowerAbstracts, this.lowerItems, this.haystacks]) stringBytes += c.bytes();
    for (const d of [...Object.values(this.dicts), this.statuses, this.deptNames])
      for (const v of d.values)
        if (v && !seen.has(v)) {
          seen.add(v);
          stringBytes += str(v) + 40;
        }
    return {
      entries: this.live,
      deadSlots: this.size - this.live,
      grams,
      postings,
      bitmapGrams,
      postingBytes,
      columnBytes,
      stringBytes,
      totalBytes: postingBytes + columnBytes + stringBytes,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Search

  /**
   * The search of SqlSearch.search, answered from memory. `domainLabels` is catalog.data_domain
   * (code → label), read by the caller, which also rejects an unknown `domain` filter.
   */
  search(scope: DepartmentScope, query: SearchEntriesQuery, domainLabels: ReadonlyMap<string, string>): SearchResult {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 20;
    const empty: SearchResult = { total: 0, page, pageSize, hits: [], facets: emptyFacets() };
    const terms = queryTerms(query.q);
    const sort = sortOf(query, terms.length);

    // Visibility: published and retired entries for everyone, other statuses for their department.
    const status = query.status ?? 'published';
    const statusCode = this.statuses.find(status);
    if (statusCode === undefined) return empty;
    let depts: Uint8Array | undefined;
    if (status !== 'published' && status !== 'retired' && !scope.all) {
      // dept_id = ANY($::uuid[]): the uuid cast ignores case.
      depts = new Uint8Array(this.dicts.dept.size);
      for (const id of scope.deptIds) {
        const code = this.dicts.dept.find(id.toLowerCase());
        if (code !== undefined) depts[code] = 1;
      }
    }
    // Filters: equality with the column's text (dept_id::text is lower case).
    const filters: [Column, number][] = [];
    for (const [param, facet] of FILTERS) {
      const value = query[param] as string | undefined;
      if (!value) continue;
      const code = this.dicts[facet].find(value);
      if (code === undefined) return empty;
      filters.push([this.columns[facet], code]);
    }

    let candidates: Int32Array | null = null; // null: every slot
    if (terms.length > 0) {
      candidates = this.intersect(terms);
      if (candidates.length === 0) return empty;
    }
    // A term of one or two characters is its only gram, so having the gram already is the substring
    // test (`haystack LIKE` in SQL); longer ones are checked against the haystack.
    const recheck = terms.filter((t) => [...t.text].length > 2).map((t) => t.text);

    const count = candidates ? candidates.length : this.size;
    const matches = new Int32Array(count);
    let n = 0;
    const { alive, statusCode: statuses } = this;
    const deptColumn = this.columns.dept;
    next: for (let i = 0; i < count; i++) {
      const d = candidates ? candidates[i] : i;
      if (alive[d] === 0 || statuses[d] !== statusCode) continue;
      if (depts && depts[deptColumn[d]] === 0) continue;
      for (let f = 0; f < filters.length; f++) if (filters[f][0][d] !== filters[f][1]) continue next;
      matches[n++] = d;
    }
    for (const text of recheck) {
      const kept = n;
      n = 0;
      this.haystacks.scan(matches.subarray(0, kept), text, (d) => (matches[n++] = d));
    }
    if (n === 0) return empty;
    const matched = matches.subarray(0, n);

    const facets = this.facets(matched, domainLabels);
    const offset = (page - 1) * pageSize;
    const hits = offset >= n ? [] : this.top(matched, Math.min(n, offset + pageSize), sort, terms).slice(offset);
    return { total: n, page, pageSize, hits: hits.map((d) => this.hit(d, terms)), facets };
  }

  /** Slots holding every gram of every term, ascending (dead ones included). */
  private intersect(terms: readonly QueryTerm[]): Int32Array {
    const postings: Postings[] = [];
    for (const gram of new Set(terms.flatMap((t) => t.grams))) {
      const id = this.grams.find(gram);
      if (id === undefined || this.postings[id].df === 0) return new Int32Array(0);
      postings.push(this.postings[id]);
    }
    postings.sort((a, b) => a.df - b.df);
    const [first, ...rest] = postings;
    let out: Int32Array;
    let n: number;
    const lists: Postings[] = [];
    if (first.bits) {
      // AND the bitmaps, then read the slots out.
      const words = first.bits.slice();
      for (const p of rest) {
        if (!p.bits) {
          lists.push(p);
          continue;
        }
        const bits = p.bits;
        for (let w = 0; w < words.length; w++) words[w] &= w < bits.length ? bits[w] : 0;
      }
      out = new Int32Array(first.df);
      n = 0;
      for (let w = 0; w < words.length; w++) for (let word = words[w]; word !== 0; word &= word - 1) out[n++] = (w << 5) + (31 - Math.clz32(word & -word));
    } else {
      out = first.list!.slice(0, first.df);
      n = first.df;
      lists.push(...rest);
    }
    for (const p of lists) {
      if (n === 0) break;
      n = p.bits ? filterByBits(out, n, p.bits) : intersectSorted(out, n, p.list!, p.df);
    }
    return out.subarray(0, n);
  }

  private facets(matched: Int32Array, domainLabels: ReadonlyMap<string, string>): Record<string, FacetBucket[]> {
    const out = emptyFacets();
    const deptColumn = this.columns.dept;
    for (const facet of FACET_NAMES) {
      const column = this.columns[facet];
      const dict = this.dicts[facet];
      const counts = new Int32Array(dict.size);
      for (let i = 0; i < matched.length; i++) counts[column[matched[i]]]++;
      // The department's label is min(dept_name) over its rows in the result, as in SQL.
      let minName: Int32Array | undefined;
      if (facet === 'dept') {
        minName = new Int32Array(dict.size);
        const names = this.deptNames.values as string[];
        for (let i = 0; i < matched.length; i++) {
          const d = matched[i];
          const dept = deptColumn[d];
          const name = this.deptNameCode[d];
          const current = minName[dept];
          if (current !== name && (current === 0 || compareCodePoints(names[name], names[current]) < 0)) minName[dept] = name;
        }
      }
      for (let code = 1; code < counts.length; code++)
        if (counts[code] > 0) {
          const value = dict.values[code]!;
          out[facet].push({ value, label: facetLabel(facet, value, minName ? this.deptNames.values[minName[code]] : null, domainLabels), count: counts[code] });
        }
    }
    return sortBuckets(out);
  }

  /** The first k of the matches in the order of `sort`, in order. */
  private top(matched: Int32Array, k: number, sort: SearchSort, terms: readonly QueryTerm[]): number[] {
    const { published, updated, ids, names, nameRank, ranked } = this;
    const byId = (a: number, b: number) => ids.compare(a, b);
    // published_at DESC NULLS LAST
    const byPublished = (a: number, b: number) => {
      const x = published[a];
      const y = published[b];
      if (x === y) return 0;
      if (x !== x || y !== y) return x !== x ? (y !== y ? 0 : 1) : -1;
      return x > y ? -1 : 1;
    };
    let cmp: (a: number, b: number) => number;
    switch (sort) {
      case 'relevance': {
        const { score, contenders } = this.scores(matched, k, terms);
        cmp = (a, b) => score[b] - score[a] || byPublished(a, b) || byId(a, b);
        return topK(contenders, k, cmp);
      }
      case 'published':
        cmp = (a, b) => byPublished(a, b) || byId(a, b);
        break;
      case 'updated':
        cmp = (a, b) => (updated[a] === updated[b] ? byId(a, b) : updated[a] > updated[b] ? -1 : 1);
        break;
      case 'name':
        cmp = (a, b) => (a < ranked && b < ranked ? nameRank[a] - nameRank[b] : compareCodePoints(names.get(a), names.get(b))) || byId(a, b);
        break;
    }
    return topK(matched, k, cmp);
  }

  /**
   * Relevance per slot: per term, 10 for the name, 4 for an item, 2 for the abstract, 3 for the
   * department (lower(col) LIKE '%term%'), for the matches that can be among the first k.
   * The name and department parts are computed first for every match (short strings, a table);
   * their k-th highest sum is a score that k matches reach at least, so a match that cannot reach
   * it even with an item and an abstract hit for every term is left out before its items and
   * abstract are searched. For a broad term most matches drop out here.
   */
  private scores(matched: Int32Array, k: number, terms: readonly QueryTerm[]): { score: Int32Array; contenders: Int32Array } {
    const score = new Int32Array(this.size);
    if (terms.length === 0) return { score, contenders: matched };
    const deptNames = this.deptNames.values;
    const texts = terms.map((t) => t.text);
    const deptScore = new Int32Array(deptNames.length);
    for (let c = 1; c < deptNames.length; c++) {
      const lower = pgLower(deptNames[c]!, this.lowerMode);
      for (const text of texts) if (lower.includes(text)) deptScore[c] += 3;
    }
    const deptNameCode = this.deptNameCode;
    for (let i = 0; i < matched.length; i++) score[matched[i]] = deptScore[deptNameCode[matched[i]]];
    for (const text of texts) this.lowerNames.scan(matched, text, (d) => (score[d] += 10));
    // The k-th highest partial score.
    const histogram = new Int32Array(13 * texts.length + 1);
    for (let i = 0; i < matched.length; i++) histogram[score[matched[i]]]++;
    let threshold = histogram.length - 1;
    for (let seen = 0; threshold > 0 && (seen += histogram[threshold]) < k; ) threshold--;
    const maxRest = 6 * texts.length;
    let contenders = matched;
    if (threshold > maxRest) {
      contenders = new Int32Array(matched.length);
      let n = 0;
      for (let i = 0; i < matched.length; i++) if (score[matched[i]] + maxRest >= threshold) contenders[n++] = matched[i];
      contenders = contenders.subarray(0, n);
    }
    for (const text of texts) {
      this.lowerItems.scan(contenders, text, (d) => (score[d] += 4));
      this.lowerAbstracts.scan(contenders, text, (d) => (score[d] += 2));
    }
    return { score, contenders };
  }

  private hit(d: number, terms: readonly QueryTerm[]): SearchHit {
    const value = (f: FacetName) => this.dicts[f].values[this.columns[f][d]];
    const lowerItems = this.lowerItems.get(d);
    const joined = this.itemsOf.get(d) ?? lowerItems;
    const items = joined === '' ? [] : joined.split(SEP);
    const lower = lowerItems.split(SEP);
    const published = this.published[d];
    return {
      entryId: this.ids.idOf(d),
      resourceCode: this.hasCode[d] ? this.codes.get(d) : null,
      name: this.names.get(d),
      abstract: this.abstractOf.get(d) ?? this.lowerAbstracts.get(d),
      deptId: value('dept')!,
      deptName: this.deptNames.values[this.deptNameCode[d]]!,
      status: this.statuses.values[this.statusCode[d]]!,
      version: this.version[d],
      domainCode: value('domain'),
      shareType: value('shareType'),
      openType: value('openType'),
      formatClass: value('format'),
      updateCycle: value('updateCycle'),
      securityGrade: value('grade'),
      matchedItems: terms.length === 0 ? [] : items.filter((_, i) => terms.some((t) => lower[i].includes(t.text))),
      // As node-postgres gives timestamptz: a Date, i.e. whole milliseconds.
      publishedAt: published !== published ? null : new Date(Math.floor(published / 1000)).toISOString(),
    };
  }
}

/** Keeps a[i] that are also in the sorted b (galloping search); returns the new length. */
function intersectSorted(a: Int32Array, n: number, b: Int32Array, m: number): number {
  let k = 0;
  let j = 0;
  for (let i = 0; i < n && j < m; i++) {
    const x = a[i];
    if (b[j] < x) {
      let lo = j;
      let hi = j + 1;
      let step = 1;
      while (hi < m && b[hi] < x) {
        lo = hi;
        step *= 2;
        hi = lo + step;
      }
      if (hi > m) hi = m;
      lo++;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (b[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      j = lo;
    }
    if (j < m && b[j] === x) {
      a[k++] = x;
      j++;
    }
  }
  return k;
}

function filterByBits(a: Int32Array, n: number, bits: Uint32Array): number {
  let k = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const w = x >>> 5;
    if (w < bits.length && (bits[w] & (1 << (x & 31))) !== 0) a[k++] = x;
  }
  return k;
}

/** The k first elements under `cmp`, sorted: a bounded heap when k is small against the input, else a full sort. */
function topK(items: Int32Array, k: number, cmp: (a: number, b: number) => number): number[] {
  if (k * 8 >= items.length) return Array.from(items).sort(cmp).slice(0, k);
  // Max-heap on cmp: the root is the last of the k best so far.
  const heap: number[] = [];
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let worst = i;
      if (l < heap.length && cmp(heap[l], heap[worst]) > 0) worst = l;
      if (r < heap.length && cmp(heap[r], heap[worst]) > 0) worst = r;
      if (worst === i) return;
      [heap[i], heap[worst]] = [heap[worst], heap[i]];
      i = worst;
    }
  };
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    if (heap.length < k) {
      heap.push(x);
      for (let c = heap.length - 1; c > 0; ) {
        const parent = (c - 1) >> 1;
        if (cmp(heap[c], heap[parent]) <= 0) break;
        [heap[c], heap[parent]] = [heap[parent], heap[c]];
        c = parent;
      }
    } else if (cmp(x, heap[0]) < 0) {
      heap[0] = x;
      down(0);
    }
  }
  return heap.sort(cmp);
}
