/** Character bigrams of the CJK runs and lower-cased latin words of a text (供需对接 matching). */
export function bigramsOf(text: string): Set<string> {
  const out = new Set<string>();
  for (const run of text.match(/[\u3400-\u9fff]+/g) ?? []) {
    if (run.length === 1) out.add(run);
    for (let i = 0; i + 1 < run.length; i++) out.add(run.slice(i, i + 2));
  }
  for (const w of text.toLowerCase().match(/[a-z0-9]{2,}/g) ?? []) out.add(w);
  return out;
}
