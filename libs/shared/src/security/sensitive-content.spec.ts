import { generateIdNumber, labelledColumns, seededRandom } from './labelled-columns';
import { scoreDiscovery } from './discovery-score';
import { isChineseIdNumber, validateChineseIdNumber } from '../standard/identifiers';
import { classifyValue, ColumnScanner, findEmbedded, looksLikePersonName, luhnValid } from './sensitive-content';

describe('sensitive-content discovery', () => {
  it('recognises each kind by its content', () => {
    expect(classifyValue('11010519491231002X')).toBe('idNumber');
    expect(classifyValue('11010519491231002x')).toBe('idNumber');
    expect(classifyValue('110105194912310021')).toBeNull(); // wrong check digit
    expect(classifyValue('13912345678')).toBe('mobile');
    expect(classifyValue('+86 139-1234-5678')).toBe('mobile');
    expect(classifyValue('027-85551234')).toBe('fixedPhone');
    expect(classifyValue('6222021234567890128')).toBe('bankCard');
    expect(luhnValid('6222021234567890127')).toBe(false);
    expect(classifyValue('zhang.san@163.com')).toBe('email');
    expect(classifyValue('鄂B12345')).toBe('plate');
    expect(classifyValue('湖北省黄石市下陆区团城山街道杭州西路88号3栋201室')).toBe('address');
    expect(classifyValue('下陆区')).toBeNull();
    expect(classifyValue('91350100M000100Y43')).toBeNull(); // an enterprise, not a person
  });

  it('reads a short Chinese word as a name only in a column about people', () => {
    expect(classifyValue('张伟', { nameColumn: true })).toBe('chineseName');
    expect(classifyValue('张伟')).toBeNull();
    expect(looksLikePersonName('钢材')).toBe(false);
    expect(looksLikePersonName('欧阳明月')).toBe(true);
    expect(looksLikePersonName('王*青')).toBe(false); // already masked
    expect(looksLikePersonName('黄石市')).toBe(false);
  });

  it('finds identifiers hidden in free text, not digits inside longer numbers', () => {
    const id = generateIdNumber(seededRandom(1));
    expect(findEmbedded(`当事人张三（身份证号${id}），电话13912345678`)).toEqual(['idNumber', 'mobile']);
    expect(findEmbedded(`流水号9${id}0`)).toEqual([]);
    expect(findEmbedded('订单 213912345678901')).toEqual([]);
    // Real catalog files link to articles whose ids look like mobiles.
    expect(findEmbedded('http://www.beijing.gov.cn/zhengce/13912345678.html 联系电话 13912345678')).toEqual(['mobile']);
  });

  it('finds in free text what the plain regex scan finds (its shortcuts skip only text it cannot match)', () => {
    const ID_IN_TEXT = /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g;
    const MOBILE_IN_TEXT = /(?<!\d)1[3-9]\d{9}(?!\d)/g;
    const URL = /(?:https?:\/\/|www\.)[^\s\u4e00-\u9fa5，。；]+/gi;
    const plainScan = (raw: string) => {
      if (raw.length < 11) return [];
      const text = raw.includes('://') || raw.includes('www.') ? raw.replace(URL, ' ') : raw;
      const found: string[] = [];
      for (const m of text.matchAll(ID_IN_TEXT)) if (validateChineseIdNumber(m[0].toUpperCase()).valid) found.push('idNumber');
      for (const _ of text.matchAll(MOBILE_IN_TEXT)) found.push('mobile');
      return found;
    };
    const random = seededRandom(7);
    const id = generateIdNumber(random);
    const pieces = [id, id.slice(0, 17) + 'x', '9' + id, id + '0', '13912345678', '139123456789', '3912345678', '9', '0', 'a', 'X', ' ', '，', '-', 'http://', 'www.', 'WWW.', '.html', '/', '号', '电话'];
    for (let r = 0; r < 5000; r++) {
      let text = '';
      for (let k = Math.floor(random() * 8); k >= 0; k--) text += pieces[Math.floor(random() * pieces.length)];
      expect(findEmbedded(text)).toEqual(plainScan(text));
    }
  });

  it('reads long codes of letters and digits as ID numbers, individual business codes or bank cards only', () => {
    const id = generateIdNumber(seededRandom(5));
    expect(classifyValue(id)).toBe('idNumber');
    expect(classifyValue(id.slice(0, 17) + 'x')).toBe(id.endsWith('X') ? 'idNumber' : null);
    expect(classifyValue('6222020200112233445')).toBe(luhnValid('6222020200112233445') ? 'bankCard' : null);
    expect(classifyValue('91350100M000100Y43')).toBeNull();
    expect(classifyValue('ORDER2024000012345')).toBeNull();
    // not a plain code: the other checks still run
    expect(classifyValue('zhang.san.2024@example.com')).toBe('email');
    expect(classifyValue('0591-87654321-1234')).toBe('fixedPhone');
  });

  it('reads impossible ID numbers as none before validating them', () => {
    const id = generateIdNumber(seededRandom(3));
    expect(isChineseIdNumber(id)).toBe(true);
    for (const wrong of [id.slice(0, 10) + '13' + id.slice(12), id.slice(0, 10) + '00' + id.slice(12), id.slice(0, 12) + '32' + id.slice(14), id.slice(0, 6) + '1799' + id.slice(10), id.slice(0, 17) + 'x', id.slice(0, 17), '91110105000000016X'])
      expect(isChineseIdNumber(wrong)).toBe(validateChineseIdNumber(wrong).valid);
  });

  it('reports a column from a share of its values, with masked examples only', () => {
    const scanner = new ColumnScanner('联系电话');
    for (let i = 0; i < 10; i++) scanner.observe(i < 4 ? `1391234${String(5670 + i)}` : '无');
    const [finding] = scanner.findings();
    expect(finding).toMatchObject({ column: '联系电话', kind: 'mobile', matches: 4, scanned: 10, embedded: false });
    for (const example of finding.examples) expect(example).not.toMatch(/\d{5}/);
  });

  it('meets the targets on the labelled set: recall ≥ 0.99 for ID numbers and mobiles, precision ≥ 0.95', () => {
    const score = scoreDiscovery(labelledColumns());
    const wrong = score.columns.filter((c) => (c.label ? !c.found.includes(c.label) : c.found.length > 0) || c.found.some((k) => k !== c.label));
    expect(wrong).toEqual([]);
    expect(score.idMobileValueRecall).toBeGreaterThanOrEqual(0.99);
    expect(score.precision).toBeGreaterThanOrEqual(0.95);
    expect(score.recall).toBe(1);
  });
});
