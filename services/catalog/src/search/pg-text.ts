/**
 * PostgreSQL's text semantics that the in-memory index must reproduce exactly:
 * `lower()` and `ORDER BY text` of the database's locale.
 *
 * The platform's databases are created with `--locale=C.UTF-8` (apps/embedded, the test and bench
 * servers, the machine's PostgreSQL 15): LC_COLLATE C.UTF-8 compares code point by code point
 * (glibc's C.UTF-8, like byte-wise comparison of UTF-8), and LC_CTYPE C.UTF-8 makes `lower()` map
 * every character with towlower, i.e. Unicode simple case mapping, one character at a time.
 * A plain C/POSIX ctype maps ASCII only. CatalogSearchIndex reads the database's locale at load
 * and answers the orders it cannot reproduce (a linguistic collation) in SQL.
 */

export type LowerMode = 'unicode' | 'ascii';

/** Collations under which `ORDER BY name` is code point order. */
export function isCodePointCollation(collate: string): boolean {
  return /^(c|posix|c\.utf-?8|ucs_basic|pg_c_utf8)$/i.test(collate.trim());
}

/** LC_CTYPE for which lower() only maps A-Z. */
export function lowerModeOf(ctype: string): LowerMode {
  return /^(c|posix)$/i.test(ctype.trim()) ? 'ascii' : 'unicode';
}

/**
 * PostgreSQL `lower()`. JavaScript's toLowerCase applies full and context-sensitive mappings
 * (İ → i̇, final sigma Σ → ς); PostgreSQL maps each character on its own (İ → i, Σ → σ).
 */
export function pgLower(s: string, mode: LowerMode = 'unicode'): string {
  if (mode === 'ascii') return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
  const full = s.toLowerCase();
  if (full === s) return s; // nothing to map: the common case, and the same string (no copy kept)
  let out = '';
  for (const c of s) out += c === '\u0130' ? 'i' : c.toLowerCase();
  return out;
}

/** A code unit of UTF-16 moved so that comparing code units gives code point order. */
const fix = (u: number) => (u >= 0xd800 ? (u >= 0xe000 ? u - 0x800 : u + 0x2000) : u);

/** Code point order (= byte order of UTF-8 = the C / C.UTF-8 collation); JavaScript's `<` compares UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fix(x) - fix(y);
  }
  return a.length - b.length;
}
