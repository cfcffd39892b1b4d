import { LabelledColumn } from './labelled-columns';
import { ColumnScanner, findEmbedded, classifyValue, NAME_COLUMN, SensitiveKind } from './sensitive-content';

export interface DiscoveryScore {
  columns: { name: string; label: SensitiveKind | null; found: SensitiveKind[] }[];
  /** Column level: a column counts as found when its label is among the findings. */
  precision: number;
  recall: number;
  /** Value level, for checksum-valid ID numbers and mobiles (whole or inside text). */
  idMobileValueRecall: number;
}

/** Runs discovery over labelled columns and scores it (the benchmark prints this; a test holds it to the targets). */
export function scoreDiscovery(columns: readonly LabelledColumn[]): DiscoveryScore {
  let truePositive = 0;
  let falsePositive = 0;
  let falseNegative = 0;
  let valuePositives = 0;
  let valueFound = 0;
  const out: DiscoveryScore['columns'] = [];
  for (const c of columns) {
    const scanner = new ColumnScanner(c.name);
    const nameColumn = NAME_COLUMN.test(c.name);
    c.values.forEach((v, i) => {
      scanner.observe(v);
      if (!c.positives[i] || v === null) return;
      valuePositives++;
      const kind = classifyValue(v, { nameColumn });
      if (kind === 'idNumber' || kind === 'mobile' || findEmbedded(v).length > 0) valueFound++;
    });
    const found = scanner.findings().map((f) => f.kind);
    out.push({ name: c.name, label: c.label, found });
    for (const k of found) if (k === c.label) truePositive++;
    else falsePositive++;
    if (c.label && !found.includes(c.label)) falseNegative++;
  }
  return {
    columns: out,
    precision: truePositive + falsePositive === 0 ? 1 : truePositive / (truePositive + falsePositive),
    recall: truePositive + falseNegative === 0 ? 1 : truePositive / (truePositive + falseNegative),
    idMobileValueRecall: valuePositives === 0 ? 1 : valueFound / valuePositives,
  };
}
