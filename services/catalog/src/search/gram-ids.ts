import { normalizeSearchText } from '@gov/shared';

/**
 * Dense integer ids for the grams of `documentGrams` (libs/shared/src/search/cjk-grams.ts),
 * computed without building the gram strings: the same normalization (NFKC, toLowerCase), the
 * same segments (runs of \p{L} and \p{N}, by code point), the unigrams and bigrams of each
 * segment. The grams of a text are exactly documentGrams' strings mapped by `find` (checked in
 * search-index.spec.ts). Unigrams are keyed by code point, bigrams by their first gram's id and
 * their second code point, so every key is a small integer.
 */

const LETTER_OR_DIGIT = /^[\p{L}\p{N}]$/u;
/** Per code point: 0 not classified yet, 1 letter or digit, 2 anything else. */
const classes = new Uint8Array(0x110000);

function isLetterOrDigit(cp: number): boolean {
  let c = classes[cp];
  if (c === 0) classes[cp] = c = LETTER_OR_DIGIT.test(String.fromCodePoint(cp)) ? 1 : 2;
  return c === 1;
}

export class GramIds {
  private readonly unigrams = new Map<number, number>();
  /** By the id of the first character's unigram: second code point → id. */
  private readonly bigrams: (Map<number, number> | undefined)[] = [];
  private next = 0;

  get size(): number {
    return this.next;
  }

  /** Calls `add` with the id of every gram of the text (a gram may come more than once), creating ids. */
  each(text: string | null | undefined, add: (id: number) => void): void {
    const s = normalizeSearchText(text);
    let prev = -1;
    for (let i = 0; i < s.length; i++) {
      let cp = s.charCodeAt(i);
      if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < s.length) {
        const low = s.charCodeAt(i + 1);
        if (low >= 0xdc00 && low < 0xe000) {
          cp = ((cp - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
          i++;
        }
      }
      if (!isLetterOrDigit(cp)) {
        prev = -1;
        continue;
      }
      let uni = this.unigrams.get(cp);
      if (uni === undefined) this.unigrams.set(cp, (uni = this.next++));
      add(uni);
      if (prev >= 0) {
        let map = this.bigrams[prev];
        if (!map) this.bigrams[prev] = map = new Map();
        let bi = map.get(cp);
        if (bi === undefined) map.set(cp, (bi = this.next++));
        add(bi);
      }
      prev = uni;
    }
  }

  /** The id of a gram string of documentGrams / queryTerms (one or two code points), if it was ever seen. */
  find(gram: string): number | undefined {
    const a = gram.codePointAt(0);
    if (a === undefined) return undefined;
    const uni = this.unigrams.get(a);
    const rest = gram.slice(a > 0xffff ? 2 : 1);
    if (rest === '' || uni === undefined) return uni;
    return this.bigrams[uni]?.get(rest.codePointAt(0)!);
  }
}
