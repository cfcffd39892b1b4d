import { documentGrams, queryTerms } from './cjk-grams';

const matches = (doc: string[], query: string) => queryTerms(query).every((t) => t.grams.every((g) => doc.includes(g)));

describe('CJK grams', () => {
  it('finds an item name that contains the query word', () => {
    const doc = documentGrams('市场主体登记信息', '营业执照号', '法定代表人');
    expect(matches(doc, '营业执照')).toBe(true);
    expect(matches(doc, '执照')).toBe(true);
    expect(matches(doc, '登记 法定代表人')).toBe(true);
  });

  it('does not match when one term is absent', () => {
    const doc = documentGrams('市场主体登记信息');
    expect(matches(doc, '营业执照')).toBe(false);
    expect(matches(doc, '登记 医疗')).toBe(false);
  });

  it('folds full-width letters and case, and splits on punctuation', () => {
    const doc = documentGrams('ＧＩＳ地图服务（API）');
    expect(matches(doc, 'gis')).toBe(true);
    expect(matches(doc, 'api')).toBe(true);
    expect(queryTerms('  营业执照，法人 ').map((t) => t.text)).toEqual(['营业执照', '法人']);
  });

  it('uses a unigram for a one-character term', () => {
    expect(queryTerms('税')).toEqual([{ text: '税', grams: ['税'] }]);
    expect(matches(documentGrams('纳税人名录'), '税')).toBe(true);
  });

  it('ignores an empty query', () => {
    expect(queryTerms('  ，。 ')).toEqual([]);
  });
});
