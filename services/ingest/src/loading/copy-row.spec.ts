import { copyText } from '@gov/shared';
import { copyRowMaxBytes, writeCopyRow } from './copy-row';

/** The line as it was built before: a string, then Buffer.from. */
function asString(rowNumber: number, values: (string | null)[]): Buffer {
  let line = String(rowNumber);
  for (const v of values) line += '\t' + copyText(v);
  return Buffer.from(line + '\n');
}

function written(rowNumber: number, values: (string | null)[]): Buffer {
  const out = Buffer.alloc(copyRowMaxBytes(values));
  return out.subarray(0, writeCopyRow(out, 0, rowNumber, values));
}

describe('COPY text rows written straight to a buffer', () => {
  it('gives the bytes of the escaped line', () => {
    const rows: [number, (string | null)[]][] = [
      [1, []],
      [2, [null]],
      [10, ['']],
      [99, ['a\tb\nc\\d\re', null, '统一社会信用代码']],
      [123456789, ['é ß ¥ ＡＢ１２ 　', '𠀀𠀁 😀', '\ud800 lone high', 'lone low \udc00', 'high at end \ud83d']],
      [2147483647, ['\u007f\u0080\u07ff\u0800\uffff\ufeff']],
      [2147483648, ['beyond int32']],
      [9007199254740991, ['the largest safe row number']],
    ];
    for (const [rowNumber, values] of rows) expect(written(rowNumber, values).equals(asString(rowNumber, values))).toBe(true);
  });

  it('gives the same bytes for random text (every UTF-16 unit, surrogates alone or in pairs)', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const units = [9, 10, 13, 92, 32, 65, 0x7f, 0x80, 0x7ff, 0x800, 0x4e2d, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff];
    for (let r = 0; r < 2000; r++) {
      const values: (string | null)[] = [];
      for (let c = random(8); c > 0; c--) {
        if (random(6) === 0) values.push(null);
        else {
          let s = '';
          for (let k = random(12); k > 0; k--) s += String.fromCharCode(random(2) ? units[random(units.length)] : random(0x10000));
          values.push(s);
        }
      }
      const rowNumber = random(1_000_000_000);
      expect(written(rowNumber, values).equals(asString(rowNumber, values))).toBe(true);
    }
  });

  it('stays within its bound', () => {
    const values = ['\\\\\\\\', '\ud800\ud800', '中文', null, '\t\n\r'];
    expect(written(1, values).length).toBeLessThanOrEqual(copyRowMaxBytes(values));
  });
});
