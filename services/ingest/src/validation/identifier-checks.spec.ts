import { USCC_CHARSET, idNumberCheckChar, organizationCodeCheckChar, usccCheckChar, validateChineseIdNumber, validateUscc } from '@gov/shared';
import { checkUscc, idNumberChecker, isPlainlyValidUscc } from './identifier-checks';

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validUscc(rnd: () => number): string {
  const pick = (chars: string) => chars[Math.floor(rnd() * chars.length)];
  const prefix = ['91', '92', '11', '12', '51', '52', 'N1', 'Y1'][Math.floor(rnd() * 8)];
  let region = '';
  for (let i = 0; i < 6; i++) region += pick('0123456789');
  let org8 = '';
  for (let i = 0; i < 8; i++) org8 += pick('0123456789ABCDEFGHJKLMNPQRTUWXY');
  const first17 = prefix + region + org8 + organizationCodeCheckChar(org8);
  return first17 + usccCheckChar(first17);
}

function validIdNumber(rnd: () => number): string {
  const year = 1900 + Math.floor(rnd() * 120);
  const month = 1 + Math.floor(rnd() * 12);
  const day = 1 + Math.floor(rnd() * 28);
  const first17 = '350102' + String(year) + String(month).padStart(2, '0') + String(day).padStart(2, '0') + String(Math.floor(rnd() * 1000)).padStart(3, '0');
  return first17 + idNumberCheckChar(first17);
}

/** A copy with one character replaced (any printable ASCII or a full-width/CJK character). */
function mutate(value: string, rnd: () => number): string {
  const pool = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcxz -Ｘ９中';
  const at = Math.floor(rnd() * value.length);
  const roll = rnd();
  if (roll < 0.1) return value.slice(0, at) + value.slice(at + 1); // shorter
  if (roll < 0.15) return value + pool[Math.floor(rnd() * pool.length)]; // longer
  return value.slice(0, at) + pool[Math.floor(rnd() * pool.length)] + value.slice(at + 1);
}

describe('fast identifier screens agree with the shared validators', () => {
  it('standards.md test vectors', () => {
    expect(checkUscc('91350100M000100Y43')).toEqual({ valid: true });
    expect(checkUscc('91350203M0001QAY9B')).toEqual({ valid: false, reason: '统一社会信用代码校验码错误，第 18 位应为"9"' });
    expect(checkUscc('91350203M0001QAY99')).toEqual({ valid: true });
    const checkId = idNumberChecker(new Date('2024-06-01T00:00:00Z'));
    expect(checkId('11010519491231002X')).toEqual({ valid: true });
    expect(checkId('110105194912310021').valid).toBe(false);
  });

  it('USCC: the screen accepts exactly what validateUscc accepts (20,000 valid + 60,000 mutated codes)', () => {
    const rnd = random(7);
    for (let i = 0; i < 20_000; i++) {
      const good = validUscc(rnd);
      if (!isPlainlyValidUscc(good)) throw new Error(`valid code refused: ${good}`);
      for (let m = 0; m < 3; m++) {
        const candidate = mutate(good, rnd);
        const shared = validateUscc(candidate).valid;
        if (isPlainlyValidUscc(candidate) !== shared) throw new Error(`disagreement on ${candidate}: shared ${shared}`);
      }
    }
  });

  it('USCC: every character of the charset in every body position', () => {
    const base = '91350100M000100Y43';
    for (let pos = 0; pos < 18; pos++) {
      for (const ch of USCC_CHARSET + 'IOSVZ') {
        const v = base.slice(0, pos) + ch + base.slice(pos + 1);
        expect(isPlainlyValidUscc(v)).toBe(validateUscc(v).valid);
      }
    }
  });

  it('ID number: the screen accepts exactly what validateChineseIdNumber accepts, birth dates around "now" included', () => {
    const rnd = random(11);
    const now = new Date('2024-06-01T00:00:00Z');
    const check = idNumberChecker(now);
    for (let i = 0; i < 20_000; i++) {
      const good = validIdNumber(rnd);
      if (!check(good).valid || !validateChineseIdNumber(good, { now }).valid) throw new Error(`valid number refused: ${good}`);
      for (let m = 0; m < 3; m++) {
        const candidate = mutate(good, rnd);
        const shared = validateChineseIdNumber(candidate, { now });
        if (check(candidate).valid !== shared.valid) throw new Error(`disagreement on ${candidate}: shared ${shared.valid}`);
      }
    }
    for (const birth of ['20240531', '20240601', '20240602', '17991231', '18000101', '20240230']) {
      const first17 = '350102' + birth + '123';
      const v = first17 + idNumberCheckChar(first17);
      expect(check(v)).toEqual(validateChineseIdNumber(v, { now }));
    }
  });
});
