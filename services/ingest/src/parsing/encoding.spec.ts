import * as iconv from 'iconv-lite';
import { SourceError } from '../pipeline/contracts';
import { decodeChunks, detectEncoding, normalizeEncoding, TextStreamDecoder } from './encoding';

const gbk = (s: string) => iconv.encode(s, 'gbk');

async function decodeAll(bytes: Buffer, chunk: number): Promise<{ text: string; decoder: TextStreamDecoder }> {
  const decoder = TextStreamDecoder.for(detectEncoding(bytes.subarray(0, 64 * 1024)));
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  let text = '';
  for await (const t of decodeChunks(chunks(), decoder)) text += t;
  return { text, decoder };
}

describe('detectEncoding', () => {
  it('reads BOMs first', () => {
    expect(detectEncoding(Buffer.from('\ufeff企业名称,代码', 'utf8'))).toEqual({ encoding: 'utf-8-bom', confidence: 1 });
    expect(detectEncoding(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b', 'utf16le')])).encoding).toBe('utf-16le');
    expect(detectEncoding(Buffer.from([0xfe, 0xff, 0, 0x61])).encoding).toBe('utf-16be');
  });

  it('takes valid UTF-8 as UTF-8 and GBK bytes as GB18030', () => {
    expect(detectEncoding(Buffer.from('企业名称,统一社会信用代码\r\n北京新奥集团有限公司,91110000', 'utf8')).encoding).toBe('utf-8');
    const detected = detectEncoding(gbk('企业名称,统一社会信用代码\r\n北京新奥集团有限公司,91110000'));
    expect(detected.encoding).toBe('gb18030');
    expect(detected.confidence).toBeGreaterThan(0.9);
  });

  it('does not hold a multi-byte character cut at the end of the sample against the file', () => {
    const utf8 = Buffer.from('北京市海淀区', 'utf8');
    for (let cut = 1; cut <= 2; cut++) expect(detectEncoding(utf8.subarray(0, utf8.length - cut)).encoding).toBe('utf-8');
    const gb = gbk('北京市海淀区');
    expect(detectEncoding(gb.subarray(0, gb.length - 1)).encoding).toBe('gb18030');
    // a four-byte GB18030 character (U+20000, 𠀀) cut after 1, 2 and 3 of its bytes
    const four = iconv.encode('名称𠀀', 'gb18030');
    expect(four.length).toBe(8);
    for (let cut = 1; cut <= 3; cut++) expect(detectEncoding(four.subarray(0, four.length - cut)).encoding).toBe('gb18030');
  });

  it('says an all-ASCII sample is undecided (confidence 0.5)', () => {
    expect(detectEncoding(Buffer.from('id,name\r\n1,abc\r\n'))).toEqual({ encoding: 'utf-8', confidence: 0.5 });
  });

  it('finds UTF-16 without a BOM by its zero bytes', () => {
    expect(detectEncoding(Buffer.from('id,name\r\n1,abc\r\n', 'utf16le')).encoding).toBe('utf-16le');
  });

  it('refuses bytes that are neither UTF-8 nor GB18030, in Chinese, naming what is supported', () => {
    let error: unknown;
    try {
      detectEncoding(Buffer.from([0x61, 0x2c, 0xff, 0xff, 0xff, 0x20, 0x80, 0x0a]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('ENCODING_UNSUPPORTED');
    expect((error as SourceError).zh).toContain('UTF-8');
    expect((error as SourceError).zh).toContain('GBK');
    expect((error as SourceError).zh).toContain('GB18030');
  });

  it('normalises the names callers pass', () => {
    expect(normalizeEncoding('GBK')).toBe('gb18030');
    expect(normalizeEncoding('gb2312')).toBe('gb18030');
    expect(normalizeEncoding('UTF8')).toBe('utf-8');
    expect(() => normalizeEncoding('big5')).toThrow(SourceError);
  });
});

describe('TextStreamDecoder', () => {
  it('decodes GBK split at every byte', async () => {
    const text = '企业名称,代码\r\n北京啬牧微明文化有限公司,911101\r\n';
    expect((await decodeAll(gbk(text), 1)).text).toBe(text);
    expect((await decodeAll(Buffer.from(text, 'utf8'), 1)).text).toBe(text);
  });

  it('drops a BOM', async () => {
    expect((await decodeAll(Buffer.from('\ufeffa,b', 'utf8'), 2)).text).toBe('a,b');
  });

  it('decides at the first non-ASCII chunk when the first 64 KB are ASCII', async () => {
    const ascii = 'id,name\r\n' + '1,abc\r\n'.repeat(20_000);
    const bytes = Buffer.concat([Buffer.from(ascii), gbk('2,北京市\r\n')]);
    const { text, decoder } = await decodeAll(bytes, 64 * 1024);
    expect(decoder.encoding).toBe('gb18030');
    expect(text.endsWith('2,北京市\r\n')).toBe(true);
    expect(decoder.lastBadChunk).toBe(-1);
  });

  it('tolerates a stray byte in the sample and marks the chunks that hold one', async () => {
    const bytes = Buffer.concat([gbk('名称\r\n北京\r\n'), Buffer.from([0xff, 0x0d, 0x0a]), gbk('上海\r\n')]);
    expect(detectEncoding(bytes)).toEqual({ encoding: 'gb18030', confidence: 0.6 });
    const { decoder, text } = await decodeAll(bytes, 1024);
    expect(text).toContain('\ufffd');
    expect(decoder.lastBadChunk).toBeGreaterThan(0);
  });
});

describe('GB18030 decoding', () => {
  /** iconv-lite's own streaming decoder and the platform's, fed the same chunks. */
  function both(bytes: Buffer, chunk: number): [string, string] {
    const reference = iconv.getDecoder('gb18030');
    const ours = new TextStreamDecoder('gb18030', false);
    let a = '';
    let b = '';
    for (let i = 0; i < bytes.length; i += chunk) {
      a += reference.write(bytes.subarray(i, i + chunk));
      b += ours.write(bytes.subarray(i, i + chunk));
    }
    return [a + (reference.end() ?? ''), b + ours.end()];
  }

  it('gives exactly what iconv-lite gives, bad bytes and chunk boundaries included (20,000 random byte strings)', () => {
    let seed = 20261124;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 20_000; trial++) {
      const bytes = Buffer.alloc(1 + Math.floor(random() * 40));
      for (let i = 0; i < bytes.length; i++) {
        const r = random();
        // ASCII, GBK lead bytes, the digits of four-byte sequences, anything
        bytes[i] = r < 0.3 ? 0x20 + Math.floor(random() * 90) : r < 0.6 ? 0x81 + Math.floor(random() * 126) : r < 0.8 ? 0x30 + Math.floor(random() * 10) : Math.floor(random() * 256);
      }
      const [reference, ours] = both(bytes, 1 + Math.floor(random() * 8));
      if (ours !== reference) throw new Error(`bytes ${bytes.toString('hex')}: iconv-lite ${JSON.stringify(reference)}, ours ${JSON.stringify(ours)}`);
    }
  });

  it('hands four-byte characters and what follows them to iconv-lite, and keeps a lead byte across chunks', () => {
    const text = '名称𠀀，€北京\r\n'.repeat(3);
    const bytes = iconv.encode(text, 'gb18030');
    expect(both(bytes, bytes.length)).toEqual([text, text]);
    for (const chunk of [1, 2, 3, 5, 64]) {
      const [reference, ours] = both(bytes, chunk);
      expect(ours).toBe(reference);
    }
    const lone = new TextStreamDecoder('gb18030', false);
    expect(lone.write(Buffer.from([0x41, 0xb1]))).toBe('A');
    expect(lone.end()).toBe(iconv.decode(Buffer.from([0xb1]), 'gb18030'));
  });
});

