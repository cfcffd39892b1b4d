import {
  DEFAULT_NEAR_DUPLICATE_THRESHOLD,
  bigramDice,
  characterNgrams,
  diceCoefficient,
  itemSetSimilarity,
  jaccardIndex,
  nameSimilarity,
  normalizeResourceName,
  normalizeText,
  resourceSimilarity,
} from './similarity';

describe('normalisation', () => {
  it('folds full-width characters and drops whitespace and punctuation', () => {
    expect(normalizeText('ＡＰＩ　接口（２０２４）')).toBe('api接口2024');
    expect(normalizeText(' 企业·登记、信息；')).toBe('企业登记信息');
    expect(normalizeText(null)).toBe('');
  });

  it('strips generic suffixes repeatedly but keeps at least two characters', () => {
    expect(normalizeResourceName('企业登记信息表')).toBe('企业登记');
    expect(normalizeResourceName('企业注册登记数据')).toBe('企业注册登记');
    expect(normalizeResourceName('低保对象名录清单')).toBe('低保对象');
    expect(normalizeResourceName('人口信息资源目录')).toBe('人口');
    expect(normalizeResourceName('数据表')).toBe('数据');
    expect(normalizeResourceName('信息')).toBe('信息');
  });
});

describe('set measures', () => {
  it('computes n-grams, Dice and Jaccard', () => {
    expect([...characterNgrams('企业登记', 2)]).toEqual(['企业', '业登', '登记']);
    expect(characterNgrams('企', 2).size).toBe(0);
    expect(diceCoefficient(new Set(['a', 'b']), new Set(['b', 'c']))).toBeCloseTo(0.5);
    expect(jaccardIndex(new Set(['a', 'b']), new Set(['b', 'c']))).toBeCloseTo(1 / 3);
    expect(diceCoefficient(new Set(), new Set())).toBe(0);
    expect(jaccardIndex(new Set(), new Set())).toBe(0);
    expect(bigramDice('企业登记', '企业注册登记')).toBeCloseTo(0.5);
  });
});

describe('name similarity', () => {
  it('scores near-duplicate names high', () => {
    expect(nameSimilarity('企业登记信息', '企业注册登记数据')).toBeCloseTo(2 / 3);
    expect(nameSimilarity('企业登记信息', '企业注册登记数据')).toBeGreaterThanOrEqual(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
    expect(nameSimilarity('个体工商户登记信息', '个体工商户注册登记信息')).toBeGreaterThanOrEqual(0.8);
    expect(nameSimilarity('企业基本信息', '企业基本信息表')).toBe(1);
    expect(nameSimilarity('（企业）基本信息', '企业 基本 信息')).toBe(1);
  });

  it('scores unrelated names low', () => {
    expect(nameSimilarity('企业登记信息', '道路运输车辆')).toBe(0);
    expect(nameSimilarity('残疾人信息', '低保对象信息')).toBe(0);
    expect(nameSimilarity('道路运输车辆信息', '车辆登记信息')).toBeLessThan(0.4);
    expect(nameSimilarity('企业登记信息', '企业注销信息')).toBeLessThan(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
  });

  it('is symmetric and 0 for empty names', () => {
    expect(nameSimilarity('不动产登记信息', '不动产权登记数据')).toBe(nameSimilarity('不动产权登记数据', '不动产登记信息'));
    expect(nameSimilarity('', '企业')).toBe(0);
    expect(nameSimilarity('、、', '、、')).toBe(0);
  });
});

describe('item sets and the combined score', () => {
  const registration = ['统一社会信用代码', '企业名称', '法定代表人', '注册资本', '成立日期', '住所'];

  it('compares item names after normalisation', () => {
    expect(itemSetSimilarity(['企业名称', '统一社会信用代码'], ['企业名称 ', '统一社会信用代码（１８位）'])).toBeCloseTo(1 / 3);
    expect(itemSetSimilarity(['企业名称', '法定代表人'], ['法定代表人', '企业名称'])).toBe(1);
  });

  it('can treat aliases as one item through a canonicaliser', () => {
    const canon = (n: string) => (n === '身份证号' ? '公民身份号码' : n);
    expect(itemSetSimilarity(['身份证号', '姓名'], ['公民身份号码', '姓名'], canon)).toBe(1);
  });

  it('weights names 0.6 and items 0.4', () => {
    const result = resourceSimilarity(
      { name: '企业登记信息', itemNames: registration },
      { name: '企业注册登记数据', itemNames: registration.slice(0, 3) },
    );
    expect(result.nameScore).toBeCloseTo(2 / 3);
    expect(result.itemScore).toBeCloseTo(0.5);
    expect(result.score).toBeCloseTo(0.6 * (2 / 3) + 0.4 * 0.5);
  });

  it('falls back to the name score when a side has no items', () => {
    const result = resourceSimilarity({ name: '企业登记信息', itemNames: registration }, { name: '企业注册登记数据' });
    expect(result).toEqual({ score: result.nameScore, nameScore: result.nameScore, itemScore: null });
  });

  it('keeps different resources that share identifying items under the threshold', () => {
    const result = resourceSimilarity(
      { name: '企业登记信息', itemNames: registration },
      { name: '企业注销信息', itemNames: ['统一社会信用代码', '企业名称', '法定代表人', '注销日期', '注销原因'] },
    );
    expect(result.score).toBeLessThan(DEFAULT_NEAR_DUPLICATE_THRESHOLD);
  });

  it('accepts custom weights', () => {
    const result = resourceSimilarity(
      { name: '企业登记信息', itemNames: ['a'] },
      { name: '道路运输车辆', itemNames: ['a'] },
      { weights: { name: 0, items: 1 } },
    );
    expect(result.score).toBe(1);
  });
});
