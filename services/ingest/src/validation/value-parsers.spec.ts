import { exceedsLength, lastNumberFailure, parseBoolean, parseDate, parseNumber, parseTimestamp, toHalfWidth } from './value-parsers';

describe('parseDate', () => {
  it.each([
    ['2023-01-05', '2023-01-05'],
    ['2023-1-5', '2023-01-05'],
    ['2023/1/5', '2023-01-05'],
    ['2023/01/05', '2023-01-05'],
    ['2023.1.5', '2023-01-05'],
    ['2023年1月5日', '2023-01-05'],
    ['2023年01月05日', '2023-01-05'],
    ['2023年1月5', '2023-01-05'],
    ['20230105', '2023-01-05'],
    ['2023/1/5 0:00:00', '2023-01-05'], // Excel
    ['2023-01-05 13:20:00', '2023-01-05'], // time dropped, as PostgreSQL casts
    ['2023-01-05T13:20:00.123Z', '2023-01-05'],
    ['20230105132000', '2023-01-05'],
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'],
  ])('%s → %s', (input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });

  it.each(['2023-02-29', '1900-02-29', '2023-13-01', '2023-00-10', '2023-04-31', '0000-01-01', '2023/1-5', '2023-1-5日', '2023年1月', '23-1-5', '2023010', '202301055', '2023-01-05 25:00:00', '2023-01-05 12:60', '2023-01-05x', 'NaN', '44931'])(
    'rejects %s',
    (input) => {
      expect(parseDate(input)).toBeUndefined();
    },
  );

  it('returns a canonical input as the same string', () => {
    const s = ['2023', '01', '05'].join('-');
    expect(parseDate(s)).toBe(s);
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['2023-01-05 13:20:00', '2023-01-05 13:20:00'],
    ['2023/1/5 13:20', '2023-01-05 13:20:00'],
    ['2023/1/5 0:00:00', '2023-01-05 00:00:00'],
    ['2023-01-05T08:05:09', '2023-01-05 08:05:09'],
    ['2023-01-05', '2023-01-05 00:00:00'],
    ['2023年1月5日 9:30:00', '2023-01-05 09:30:00'],
    ['20230105132000', '2023-01-05 13:20:00'],
    ['2023-01-05 13:20:00.5', '2023-01-05 13:20:00.5'],
    ['2023-01-05 13:20:00.000', '2023-01-05 13:20:00'],
    ['2023-01-05 13:20:00.123456789', '2023-01-05 13:20:00.123456'],
    // Zones become Asia/Shanghai local time (the column is timestamp without time zone).
    ['2023-01-05T13:20:00Z', '2023-01-05 21:20:00'],
    ['2023-01-05T20:00:00Z', '2023-01-06 04:00:00'],
    ['2023-01-05T13:20:00+08:00', '2023-01-05 13:20:00'],
    ['2023-01-05T13:20:00-0500', '2023-01-06 02:20:00'],
  ])('%s → %s', (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each(['2023-01-05 24:00:00', '2023-01-05 13:20:61', '2023-01-05 13', '2023-01-05 13:2', '2023-01-05T13:20:00+25:00', '2023-01-05 13:20:00 下午', '2023-02-30 10:00'])('rejects %s', (input) => {
    expect(parseTimestamp(input)).toBeUndefined();
  });
});

describe('parseNumber', () => {
  it('accepts thousands separators, full-width digits and a plus sign, keeping every digit', () => {
    expect(parseNumber('1,234,567.89', 'decimal')).toBe('1234567.89');
    expect(parseNumber('１２３．５', 'decimal')).toBe('123.5');
    expect(parseNumber('１，２３４', 'integer')).toBe('1234');
    expect(parseNumber('+5', 'decimal')).toBe('5');
    expect(parseNumber('−3', 'decimal')).toBe('-3'); // U+2212
    expect(parseNumber('12345678901234567890.123456789', 'decimal')).toBe('12345678901234567890.123456789');
  });

  it('rejects NaN, Infinity, bad grouping, spaces, percentages and hex', () => {
    for (const s of ['NaN', 'Infinity', '-Infinity', '1,23', '12,34.5', '1 234', '12%', '0x1F', '--1', '1.2.3', '.', '-', 'e5', '1e']) {
      expect(parseNumber(s, 'decimal')).toBeUndefined();
      expect(lastNumberFailure()).toBe('syntax');
    }
  });

  it('integers: a zero fraction is accepted, bigint range enforced', () => {
    expect(parseNumber('12.0', 'integer')).toBe('12');
    expect(parseNumber('12.5', 'integer')).toBeUndefined();
    expect(parseNumber('9223372036854775807', 'integer')).toBe('9223372036854775807');
    expect(parseNumber('-9223372036854775808', 'integer')).toBe('-9223372036854775808');
    expect(parseNumber('9223372036854775808', 'integer')).toBeUndefined();
    expect(lastNumberFailure()).toBe('range');
    expect(parseNumber('00000000000000000000042', 'integer')).toBe('00000000000000000000042');
    expect(parseNumber('1e3', 'integer')).toBeUndefined();
  });

  it('money: numeric(20,4), at most 16 integer digits, ¥ allowed, no exponent', () => {
    expect(parseNumber('¥1,000.50', 'money')).toBe('1000.50');
    expect(parseNumber('￥12', 'money')).toBe('12');
    expect(parseNumber('9999999999999999.9999', 'money')).toBe('9999999999999999.9999');
    expect(parseNumber('10000000000000000', 'money')).toBeUndefined();
    expect(lastNumberFailure()).toBe('range');
    expect(parseNumber('1e3', 'money')).toBeUndefined();
  });

  it('decimal and float take exponents but not overflow', () => {
    expect(parseNumber('1.5E+3', 'float')).toBe('1.5E+3');
    expect(parseNumber('1e5', 'decimal')).toBe('1e5');
    expect(parseNumber('1e999', 'float')).toBeUndefined();
    expect(lastNumberFailure()).toBe('range');
  });
});

describe('parseBoolean', () => {
  it.each([
    ['是', 't'],
    ['否', 'f'],
    ['true', 't'],
    ['FALSE', 'f'],
    ['1', 't'],
    ['0', 'f'],
    ['Y', 't'],
    ['n', 'f'],
    ['Ｙ', 't'],
  ])('%s → %s', (input, expected) => {
    expect(parseBoolean(input)).toBe(expected);
  });

  it('rejects anything else', () => {
    for (const s of ['2', '对', 'maybe', '是的']) expect(parseBoolean(s)).toBeUndefined();
  });
});

describe('length and width', () => {
  it('counts characters, not UTF-16 units or bytes', () => {
    expect(exceedsLength('福建省', 3)).toBe(false);
    expect(exceedsLength('福建省厦', 3)).toBe(true);
    expect(exceedsLength('𠀀𠀀', 2)).toBe(false); // two astral characters = four UTF-16 units
    expect(exceedsLength('𠀀𠀀𠀀', 2)).toBe(true);
  });

  it('converts full-width ASCII only', () => {
    expect(toHalfWidth('９１３５　ａＢ')).toBe('9135 aB');
    const s = 'abc';
    expect(toHalfWidth(s)).toBe(s);
  });
});

describe('parseNumber agrees with a regex reference on random strings', () => {
  // The grammar as regular expressions: slow, obviously right.
  const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;
  const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
  const WITH_EXPONENT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
  const INTEGER = /^[+-]?\d+(?:\.0*)?$/;
  function reference(input: string, kind: 'decimal' | 'money' | 'integer' | 'float'): string | undefined {
    let s = input;
    if (s.includes(',')) {
      if (!GROUPED.test(s)) return undefined;
      s = s.replace(/,/g, '');
    }
    const significant = (v: string) => v.replace(/^[+-]/, '').split('.')[0].replace(/^0+/, '').length;
    if (kind === 'integer') {
      if (!INTEGER.test(s)) return undefined;
      s = s.split('.')[0];
      if (BigInt(s) > 9223372036854775807n || BigInt(s) < -9223372036854775808n) return undefined;
    } else if (kind === 'money') {
      if (!DECIMAL.test(s) || significant(s) > 16) return undefined;
    } else {
      if (!WITH_EXPONENT.test(s)) return undefined;
      if ((!DECIMAL.test(s) || kind === 'float') && !Number.isFinite(Number(s))) return undefined;
    }
    return s.startsWith('+') ? s.slice(1) : s;
  }

  it('200,000 strings over 0-9 , . + - e', () => {
    let seed = 42;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const alphabet = '0123456789012345678900,,..+-eE';
    for (let k = 0; k < 200_000; k++) {
      let s = '';
      const length = 1 + Math.floor(next() * 12);
      for (let i = 0; i < length; i++) s += alphabet[Math.floor(next() * alphabet.length)];
      for (const kind of ['decimal', 'money', 'integer', 'float'] as const) {
        const got = parseNumber(s, kind);
        const want = reference(s, kind);
        if (got !== want) throw new Error(`${kind} ${JSON.stringify(s)}: got ${got}, want ${want}`);
      }
    }
  });
});
