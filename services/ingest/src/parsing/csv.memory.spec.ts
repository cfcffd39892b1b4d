/**
 * Flat memory of the CSV parser on a generated GBK stream of 10-column rows: what it retains does
 * not grow with the input. Its throughput is measured by `npm run bench:ingest -- --stages`.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as iconv from 'iconv-lite';
import { Readable } from 'node:stream';
import { parseCsv } from './csv.parser';

const HEADER = 'id,企业名称,统一社会信用代码,核准日期,金额,区县,标志,备注,电话,地址';

function row(i: number): string {
  return `${i},北京某某科技有限公司${i},91110108MA0${String(i % 10_000_000).padStart(7, '0')},2023-01-${String((i % 28) + 1).padStart(2, '0')},${(i * 1.5).toFixed(2)},海淀区,Y,"备注,含逗号",1380000${String(i % 10_000).padStart(4, '0')},中关村大街${i}号`;
}

describe('CSV parser memory', () => {
  jest.setTimeout(120_000);

  it('parses 200,000 streamed rows retaining almost nothing', async () => {
    const rows = 200_000;
    let next = 0;
    let produced = 0;
    const source = new Readable({
      read() {
        if (next > rows) return void this.push(null);
        const lines: string[] = [];
        if (next === 0) lines.push(HEADER);
        for (let k = 0; k < 500 && next < rows; k++) lines.push(row(next++));
        if (next >= rows) next = rows + 1;
        const chunk = iconv.encode(lines.join('\r\n') + '\r\n', 'gbk');
        produced += chunk.length;
        this.push(chunk);
      },
    });
    const gc = exposeGc();
    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    const started = Date.now();
    const table = await parseCsv(source);
    let n = 0;
    let last = 0;
    for await (const record of table.records) {
      n++;
      last = record.rowNumber;
      // What the parser retains, not the garbage a busy machine has not collected yet.
      if (n % 40_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      }
    }
    const ms = Date.now() - started;
    expect(n).toBe(rows);
    expect(last).toBe(rows + 1);
    console.log(
      `CSV GBK streamed: ${rows.toLocaleString('en')} rows, ${(produced / 1e6).toFixed(0)} MB generated and parsed in ${ms} ms (${Math.round((rows / ms) * 1000).toLocaleString('en')} rows/s incl. generation); heap retained above start at most ${(peak / 1e6).toFixed(0)} MB`,
    );
    // The decoded text alone would be ~40 MB if it were kept (UTF-16 strings of ~100 characters a row).
    expect(peak).toBeLessThan(15e6);
  });
});

/** The collector, even when jest runs without --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
