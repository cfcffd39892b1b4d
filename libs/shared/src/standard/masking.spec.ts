import {
  MASK_KINDS,
  MaskingPolicy,
  applyMaskingPolicy,
  maskAddress,
  maskBankCard,
  maskEmail,
  maskIpv4,
  maskMiddle,
  maskValue,
} from './masking';

describe('masking defaults (Hutool examples)', () => {
  it.each([
    ['chineseName', '段正淳', '段**'],
    ['idNumber', '51343620000320711X', '5***************1X'],
    ['mobile', '18049531999', '180****1999'],
    ['fixedPhone', '09157518479', '0915*****79'],
    ['address', '北京市海淀区马连洼街道289号', '北京市海淀区马********'],
    ['bankCard', '11011111222233333256', '1101 **** **** **** 3256'],
    ['email', 'duandazhi@gmail.com', 'd********@gmail.com'],
    ['plate', '苏D40000', '苏D4***0'],
    ['plate', '陕A12345D', '陕A1****D'],
    ['ipv4', '192.168.1.1', '192.*.*.*'],
  ] as const)('%s: %s → %s', (kind, input, expected) => {
    expect(maskValue(kind, input)).toBe(expected);
  });
});

describe('configurable strategies', () => {
  it('keeps the requested counts for ID numbers', () => {
    expect(maskValue('idNumber', '11010519491231002X', { keepStart: 4, keepEnd: 4 })).toBe('1101**********002X');
    expect(maskValue('idNumber', '11010519491231002X', { keepStart: 6, keepEnd: 0, maskChar: '#' })).toBe('110105############');
  });

  it('hides a configurable tail of an address', () => {
    expect(maskAddress('北京市海淀区马连洼街道289号', { hideLast: 4 })).toBe('北京市海淀区马连洼街道****');
  });

  it('groups a bank card of any length in fours and keeps the remainder at the end', () => {
    expect(maskBankCard('6222021234567894')).toBe('6222 **** **** 7894');
    expect(maskBankCard('6217000000000000004')).toBe('6217 **** **** **** 004');
    expect(maskBankCard('6222 0212 3456 7894')).toBe('6222 **** **** 7894');
    expect(maskBankCard('6222021234567894', { keepStart: 6, keepEnd: 4 })).toBe('622202 **** ** 7894');
  });

  it('keeps more octets of an IPv4 address when asked', () => {
    expect(maskIpv4('10.1.2.3', { keepStart: 2 })).toBe('10.1.*.*');
    expect(maskIpv4('10.1.2.3', { keepStart: 9 })).toBe('10.1.2.*');
  });
});

describe('short, empty and odd values', () => {
  it('passes null, undefined and empty through', () => {
    for (const kind of MASK_KINDS) {
      expect(maskValue(kind, null)).toBeNull();
      expect(maskValue(kind, undefined)).toBeUndefined();
      expect(maskValue(kind, '')).toBe('');
    }
  });

  it('masks a too-short value entirely instead of revealing it', () => {
    expect(maskValue('chineseName', '王')).toBe('*');
    expect(maskValue('idNumber', '12')).toBe('**');
    expect(maskValue('mobile', '1380013')).toBe('*******');
    expect(maskValue('bankCard', '6222')).toBe('****');
    expect(maskValue('address', '海淀区')).toBe('***');
    expect(maskValue('ipv4', 'localhost')).toBe('*********');
    expect(maskEmail('a@b.cn')).toBe('*@b.cn');
    expect(maskEmail('@b.cn')).toBe('@b.cn');
    expect(maskEmail('nobody')).toBe('n*****');
  });

  it('never throws, for any kind and a range of inputs', () => {
    for (const kind of MASK_KINDS) {
      for (const value of ['x', '中', '12.34', '   ', '😀😀😀', 13800138000]) {
        expect(() => maskValue(kind, value)).not.toThrow();
      }
    }
  });

  it('counts code points, not UTF-16 units', () => {
    expect(maskMiddle('𠀋𠀌𠀍', 1, 0)).toBe('𠀋**');
  });

  it('masks numbers as their decimal text', () => {
    expect(maskValue('mobile', 13800138000)).toBe('138****8000');
  });

  it('ignores nonsense keep counts', () => {
    expect(maskMiddle('abcdef', -3, Number.NaN)).toBe('******');
  });
});

describe('masking policy', () => {
  const policy: MaskingPolicy = {
    xm: 'chineseName',
    sfzh: { kind: 'idNumber', options: { keepStart: 6, keepEnd: 4 } },
    lxdh: 'mobile',
    csrq: 'address',
  };

  it('masks the listed fields of a row and leaves the rest', () => {
    const row = { id: 7, xm: '张三丰', sfzh: '11010519491231002X', lxdh: null, dept: '民政局' };
    expect(applyMaskingPolicy(row, policy)).toEqual({ id: 7, xm: '张**', sfzh: '110105********002X', lxdh: null, dept: '民政局' });
    expect(row.xm).toBe('张三丰');
  });

  it('drops non-text values under a policy field instead of leaking them', () => {
    const row = { csrq: new Date('1990-01-01T00:00:00Z') };
    expect(applyMaskingPolicy(row, policy)).toEqual({ csrq: null });
  });
});
