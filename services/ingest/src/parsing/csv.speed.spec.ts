/**
 * Throughput (printed, not asserted: machines differ) and flat memory (asserted, loosely) of the
 * CSV parser on generated 10-column rows.
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

function text(rows: number): string {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) lines.push(row(i));
  return lines.join('\r\n') + '\r\n';
}

async function rate(bytes: Buffer): Promise<{ rows: number; ms: number }> {
  const started = process.hrtime.bigint();
  const table = await parseCsv(bytes);
  let rows = 0;
  for await (const _ of table.records) rows++;
  return { rows, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

describe('CSV throughput', () => {
  jest.setTimeout(120_000);

  it('prints rows/s for 200,000 rows of UTF-8 and of GBK', async () => {
    const source = text(200_000);
    await rate(Buffer.from(text(20_000))); // warm-up
    for (const [label, bytes] of [
      ['UTF-8', Buffer.from(source, 'utf8')],
      ['GBK', iconv.encode(source, 'gbk')],
    ] as const) {
      const best = [await rate(bytes), await rate(bytes)].sort((a, b) => a.ms - b.ms)[0];
      expect(best.rows).toBe(200_000);
      console.log(
        `CSV ${label}: 200,000 rows × 10 columns, ${(bytes.length / 1e6).toFixed(1)} MB in ${best.ms.toFixed(0)} ms = ${Math.round((best.rows / best.ms) * 1000).toLocaleString('en')} rows/s (${(bytes.length / 1e3 / best.ms).toFixed(0)} MB/s)`,
      );
    }
  });

  it('parses 1,000,000 streamed rows with flat memory', async () => {
    const rows = 1_000_000;
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
      if (n % 200_000 === 0) {
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
    // the decoded text alone would be ~200 MB if it were kept
    expect(peak).toBeLessThan(150e6);
  });
});

/** The collector, even when jest runs without --expose-gc. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
