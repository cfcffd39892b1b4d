/**
 * Character n-grams for searching Chinese text without a word segmenter (the approach of
 * Lucene's CJKAnalyzer): a document is indexed by the unigrams and bigrams of its characters,
 * a query term by its bigrams (or its unigram when it is one character), and a term matches when
 * the document holds all of them. `营业执照` (营业·业执·执照) then finds `营业执照号`.
 * The arrays go into a GIN-indexed text[] column, which needs no locale or text-search config.
 */

/** NFKC (full-width → half-width), lower case; runs of anything but letters and digits split terms. */
export function normalizeSearchText(text: string | null | undefined): string {
  return (text ?? '').normalize('NFKC').toLowerCase();
}

function segments(text: string): string[] {
  return normalizeSearchText(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((s) => s !== '');
}

/** Unigrams and bigrams of every segment of every text, deduplicated. */
export function documentGrams(...texts: (string | null | undefined)[]): string[] {
  const grams = new Set<string>();
  for (const text of texts)
    for (const segment of segments(text ?? '')) {
      const chars = [...segment];
      for (let i = 0; i < chars.length; i++) {
        grams.add(chars[i]);
        if (i + 1 < chars.length) grams.add(chars[i] + chars[i + 1]);
      }
    }
  return [...grams];
}

export interface QueryTerm {
  /** The normalized term, for an exact substring recheck. */
  text: string;
  /** Grams the document must all contain. */
  grams: string[];
}

/** Splits a user query on whitespace and punctuation; each term must match. At most 10 terms. */
export function queryTerms(query: string | null | undefined): QueryTerm[] {
  return segments(query ?? '')
    .slice(0, 10)
    .map((text) => {
      const chars = [...text];
      const grams = chars.length === 1 ? [text] : chars.slice(0, -1).map((c, i) => c + chars[i + 1]);
      return { text, grams: [...new Set(grams)] };
    });
}
