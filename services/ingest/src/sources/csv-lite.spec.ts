import { SourceRecord } from '../pipeline/contracts';
import { CsvDecodeError, readCsvLite } from './csv-lite';

async function all(records: AsyncIterable<SourceRecord>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

async function* chunked(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describe('csv-lite', () => {
  const text = '\uFEFF名称,代码,备注\r\n"甲, 公司",007,"说""明"\r\n乙,,"多\n行"\n\n丙,1\n';

  it.each([1, 2, 3, 7, 1000])('reads quotes, line ends and a BOM in chunks of %i bytes', async (size) => {
    const table = await readCsvLite(chunked(text, size));
    expect(table.header).toEqual(['名称', '代码', '备注']);
    expect(table.encoding).toBe('utf-8-bom');
    const rows = await all(table.records);
    expect(rows.map((r) => r.values)).toEqual([
      ['甲, 公司', '007', '说"明'],
      ['乙', '', '多\n行'],
      ['丙', '1', null],
    ]);
    expect(rows.map((r) => r.rowNumber)).toEqual([2, 3, 4]);
    expect(rows[0].raw).toBe('"甲, 公司",007,"说""明"');
  });

  it('reads GB18030 when told, and refuses invalid UTF-8 otherwise', async () => {
    const gbk = Buffer.from([0xc3, 0xfb, 0xb3, 0xc6, 0x0a, 0xd6, 0xd0, 0xce, 0xc4, 0x0a]); // 名称\n中文\n
    const table = await readCsvLite(chunked(gbk, 3), { encoding: 'gb18030' });
    expect(table.header).toEqual(['名称']);
    expect((await all(table.records)).map((r) => r.values)).toEqual([['中文']]);
    await expect(readCsvLite(chunked(gbk, 100))).rejects.toBeInstanceOf(CsvDecodeError);
  });

  it('settles the BOM question on bodies shorter than a BOM', async () => {
    const table = await readCsvLite(chunked('x\n', 1));
    expect(table.header).toEqual(['x']);
    expect((await readCsvLite(chunked('x', 5))).header).toEqual(['x']);
  });

  it('has an empty header for an empty body', async () => {
    const table = await readCsvLite(chunked('', 10));
    expect(table.header).toEqual([]);
    expect(await all(table.records)).toEqual([]);
  });
});
