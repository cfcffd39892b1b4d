import { validateSync } from 'class-validator';
import {
  IS_CHINESE_ID_NUMBER,
  IS_USCC,
  IsChineseIdNumber,
  IsUscc,
  USCC_CHARSET,
  USCC_WEIGHTS,
  chineseIdNumberInfo,
  idNumberCheckChar,
  isBankCardNumber,
  isChineseIdNumber,
  isMobile,
  isUscc,
  luhnCheck,
  normalizeChineseIdNumber,
  normalizeUscc,
  organizationCodeCheckChar,
  usccCheckChar,
  validateBankCardNumber,
  validateChineseIdNumber,
  validateMobile,
  validateUscc,
} from './identifiers';
import { ValidationResult } from './validation-result';

function reason(result: ValidationResult): string {
  if (result.valid) throw new Error('expected an invalid result');
  return result.reason;
}

describe('统一社会信用代码', () => {
  it('accepts the reference vector', () => {
    expect(validateUscc('91350100M000100Y43')).toEqual({ valid: true });
  });

  it('rejects the reference vector with a wrong check character and names the right one', () => {
    expect(reason(validateUscc('91350203M0001QAY9B'))).toBe('统一社会信用代码校验码错误，第 18 位应为"9"');
    expect(isUscc('91350203M0001QAY99')).toBe(true);
  });

  it('uses weights 3^(i−1) mod 31', () => {
    const expected = Array.from({ length: 17 }, (_, i) => {
      let w = 1;
      for (let k = 0; k < i; k++) w = (w * 3) % 31;
      return w;
    });
    expect(USCC_WEIGHTS).toEqual(expected);
    expect(USCC_CHARSET).toHaveLength(31);
    expect(USCC_CHARSET).not.toMatch(/[IOSVZ]/);
  });

  it.each(['91110108MA01ABCD5T', '12440300701234563E', '52310000MA1FL8X25P', '914403001922038216', '9144030071526726XG'])(
    'accepts computed valid code %s',
    (code) => expect(validateUscc(code)).toEqual({ valid: true }),
  );

  it('maps a check value of 31 to 0', () => {
    // Σ ci·Wi ≡ 0 (mod 31) for these 17 characters, so 31 − 0 = 31 must become '0'.
    const first17 = '91350100MA0000023';
    const sum = [...first17].reduce((acc, ch, i) => acc + USCC_CHARSET.indexOf(ch) * USCC_WEIGHTS[i], 0);
    expect(sum % 31).toBe(0);
    expect(usccCheckChar(first17)).toBe('0');
    expect(isUscc('91350100MA00000230')).toBe(true);
  });

  it('computes GB 11714 organisation-code check digits, including X and 0', () => {
    expect(organizationCodeCheckChar('M000100Y')).toBe('4');
    expect(organizationCodeCheckChar('10000018')).toBe('X');
    expect(organizationCodeCheckChar('10000004')).toBe('0');
  });

  it.each([
    [123, '必须是字符串'],
    ['', '不能为空'],
    ['91350100M000100Y4', '应为 18 位，实际为 17 位'],
    ['91350100m000100Y43', '第 9 位含有非法字符"m"'],
    ['91350100MI00100Y43', '第 10 位含有非法字符"I"'],
    ['9135A100M000100Y43', '第 5 位"A"应为数字'],
    ['99350100M000100Y4A', '前两位"99"不是有效的登记管理部门和机构类别代码'],
    ['91350100M000100X42', '组织机构代码校验位错误，第 17 位应为"6"'],
  ])('rejects %j: %s', (value, expected) => {
    expect(reason(validateUscc(value))).toContain(expected);
  });

  it('accepts the 民政 category 54 seen in real registrations', () => {
    // 79 codes in two Beijing open-data files start with 54 and pass both check characters;
    // the published GB 32100 list lacks the pair, so it was added to the whitelist.
    expect(isUscc('54110112A0293722X1')).toBe(true);
  });

  it('can skip the organisation-code check', () => {
    // Final check character is right for these 17 characters; only the embedded org code is wrong.
    expect(isUscc('91350100M000100X42')).toBe(false);
    expect(isUscc('91350100M000100X42', { checkOrganizationCode: false })).toBe(true);
  });

  it('normalises user input', () => {
    expect(normalizeUscc(' 91350100m000100y43 ')).toBe('91350100M000100Y43');
  });
});

describe('公民身份号码', () => {
  const now = new Date('2025-06-01T00:00:00Z');

  it('accepts the reference vector and computed ones', () => {
    expect(validateChineseIdNumber('11010519491231002X', { now })).toEqual({ valid: true });
    for (const id of ['440304199003070018', '310101200002290023', '510107201010101237']) {
      expect(isChineseIdNumber(id, { now })).toBe(true);
    }
  });

  it('computes the MOD 11-2 check character', () => {
    expect(idNumberCheckChar('11010519491231002')).toBe('X');
    expect(idNumberCheckChar('44030419900307001')).toBe('8');
  });

  it.each([
    [null, '必须是字符串'],
    ['', '不能为空'],
    ['110105491231002', '应为 18 位，实际为 15 位'],
    ['11010519491231002x', '第 18 位应为数字或大写 X'],
    ['1101051949123100AX', '前 17 位应为数字'],
    ['110105194902310026', '出生日期"19490231"不是有效日期'],
    ['110105190002290025', '出生日期"19000229"不是有效日期'],
    ['110105194913310020', '出生日期"19491331"不是有效日期'],
    ['110105179912310024', '早于 1800 年'],
    ['110105202506020028', '晚于当前日期'],
    ['110105194912310021', '校验码错误，第 18 位应为"X"'],
  ])('rejects %j: %s', (value, expected) => {
    expect(reason(validateChineseIdNumber(value, { now }))).toContain(expected);
  });

  it('compares the birth date with today in Shanghai', () => {
    const born = '110105202506020028'.slice(0, 17);
    const id = born + idNumberCheckChar(born);
    // 2025-06-01T16:30Z is already 2025-06-02 in Shanghai.
    expect(isChineseIdNumber(id, { now: new Date('2025-06-01T15:30:00Z') })).toBe(false);
    expect(isChineseIdNumber(id, { now: new Date('2025-06-01T16:30:00Z') })).toBe(true);
  });

  it('reads region, birth date and gender', () => {
    expect(chineseIdNumberInfo('11010519491231002X', { now })).toEqual({ regionCode: '110105', birthDate: '1949-12-31', gender: 'FEMALE' });
    expect(chineseIdNumberInfo('440304199003070018', { now })?.gender).toBe('MALE');
    expect(chineseIdNumberInfo('110105194912310021', { now })).toBeNull();
  });

  it('normalises user input', () => {
    expect(normalizeChineseIdNumber(' 11010519491231002x')).toBe('11010519491231002X');
  });
});

describe('手机号 and 银行卡', () => {
  it.each(['13800138000', '19912345678', '8613800138000', '+8613800138000', '013800138000'])('accepts mobile %s', (m) => {
    expect(isMobile(m)).toBe(true);
  });

  it.each(['12800138000', '1380013800', '138001380001', '+85213800138000', ''])('rejects mobile %j', (m) => {
    expect(validateMobile(m).valid).toBe(false);
  });

  it('implements Luhn', () => {
    expect(luhnCheck('79927398713')).toBe(true);
    expect(luhnCheck('79927398710')).toBe(false);
    expect(luhnCheck('4111111111111111')).toBe(true);
    expect(luhnCheck('4111 1111')).toBe(false);
  });

  it('validates bank card numbers', () => {
    expect(isBankCardNumber('6222021234567894')).toBe(true);
    expect(isBankCardNumber('6217000000000000004')).toBe(true);
    expect(reason(validateBankCardNumber('6222021234567890'))).toContain('Luhn');
    expect(reason(validateBankCardNumber('6222-0212-3456'))).toContain('只能包含数字');
    expect(reason(validateBankCardNumber('79927398713'))).toContain('应为 12–19 位，实际为 11 位');
    expect(reason(validateBankCardNumber(''))).toContain('不能为空');
  });
});

describe('class-validator decorators', () => {
  class Applicant {
    @IsUscc()
    uscc!: string;

    @IsChineseIdNumber({ message: '身份证号码无效' })
    idNumber!: string;
  }

  it('passes valid values', () => {
    const dto = Object.assign(new Applicant(), { uscc: '91350100M000100Y43', idNumber: '11010519491231002X' });
    expect(validateSync(dto)).toHaveLength(0);
  });

  it('reports the Chinese reason under stable constraint names', () => {
    const dto = Object.assign(new Applicant(), { uscc: '91350203M0001QAY9B', idNumber: '110105194912310021' });
    const errors = validateSync(dto);
    const byField = Object.fromEntries(errors.map((e) => [e.property, e.constraints]));
    expect(byField.uscc?.[IS_USCC]).toBe('uscc must be a valid unified social credit code: 统一社会信用代码校验码错误，第 18 位应为"9"');
    expect(byField.idNumber?.[IS_CHINESE_ID_NUMBER]).toBe('身份证号码无效');
  });

  it('rejects non-strings', () => {
    const dto = Object.assign(new Applicant(), { uscc: 91350100, idNumber: '11010519491231002X' });
    expect(validateSync(dto)[0].constraints?.[IS_USCC]).toContain('必须是字符串');
  });
});
