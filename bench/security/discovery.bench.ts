/**
 * bench/security: sensitive-field discovery (敏感字段发现).
 *
 *   npm run bench:security                 # labelled set, real files, 1,000,000-row scan
 *   npm run bench:security -- --rows 200000
 *
 * 1. Precision and recall on the labelled set the project ships (libs/shared/src/security/labelled-columns.ts),
 *    and value-level recall for checksum-valid ID numbers and mobiles. Targets: recall ≥ 0.99, precision ≥ 0.95.
 * 2. Every readable file in ../shared/data/real/: what discovery reports per column. SOURCES.md says none
 *    holds an unmasked ID number or mobile, so every ID/mobile finding there is a false positive. Codes
 *    starting with 92 in a 统一社会信用代码 column are individual businesses (个体工商户): true positives.
 * 3. Throughput on a 1,000,000-row table: discovery as ingest runs it (sample of every text column,
 *    then a streaming pass for hidden identifiers), and a full classification of every value, next to
 *    a plain sequential read of the same columns in the same run.
 * It prints figures; it asserts nothing.
 */
import { existsSync, readdirSync, createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ColumnScanner, copyText, generateIdNumber, generateMobile, labelledColumns, parseCopyLine, scoreDiscovery, seededRandom } from '@gov/shared';
import { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { openTable } from '../../services/ingest/src/parsing';
import { scanVersionTable } from '../../services/ingest/src/sensitive/version-scan';
import { createBenchDatabase } from '../catalog/database';

const args = process.argv.slice(2);
const ROWS = Number(args[args.indexOf('--rows') + 1]) > 0 && args.includes('--rows') ? Number(args[args.indexOf('--rows') + 1]) : 1_000_000;
const REAL_DIR = resolve(__dirname, '../../../shared/data/real');
const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const log = (m: string) => console.log(m);

function labelledSet(): void {
  log('## 1. Labelled set (generated, seeded; shipped in libs/shared/src/security/labelled-columns.ts)');
  const score = scoreDiscovery(labelledColumns());
  for (const c of score.columns) log(`  ${c.name.padEnd(12, '　')} label ${String(c.label ?? '—').padEnd(15)} found ${c.found.join(', ') || '—'}`);
  log(`  column precision ${score.precision.toFixed(3)} (≥ 0.95), column recall ${score.recall.toFixed(3)}, ID/mobile value recall ${score.idMobileValueRecall.toFixed(4)} (≥ 0.99)`);
}

async function realFiles(): Promise<void> {
  log('\n## 2. Real files (../shared/data/real)');
  if (!existsSync(REAL_DIR)) return log('  skipped: ../shared/data/real is absent on this machine');
  let falseIdMobile = 0;
  let columns = 0;
  for (const name of readdirSync(REAL_DIR).filter((f) => /\.(csv|json|xlsx)$/i.test(f)).sort()) {
    try {
      const table = await openTable(createReadStream(join(REAL_DIR, name)), name);
      const scanners = table.header.map((h) => new ColumnScanner(h));
      let rows = 0;
      for await (const r of table.records) {
        r.values.forEach((v, i) => scanners[i]?.observe(v));
        rows++;
      }
      const findings = scanners.flatMap((s) => s.findings());
      columns += scanners.length;
      falseIdMobile += findings.filter((f) => f.kind === 'idNumber' || f.kind === 'mobile').length;
      log(`  ${name}: ${fmt(rows)} rows, ${scanners.length} columns → ${findings.map((f) => `${f.column}: ${f.kind} ${f.matches}/${f.scanned}${f.embedded ? ' (in text)' : ''}`).join('; ') || 'nothing found'}`);
    } catch (e) {
      log(`  ${name}: not readable here (${(e as Error).message.slice(0, 80)})`);
    }
  }
  log(`  ID/mobile findings on ${columns} real columns that hold none: ${falseIdMobile}`);
}

const COLUMNS = ['企业名称', '法定代表人', '公民身份号码', '手机号码', '住所', '经营状态', '备注', '注册资本'];

async function throughput(url: string): Promise<void> {
  log(`\n## 3. Throughput on ${fmt(ROWS)} rows × ${COLUMNS.length} text columns`);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE scan_bench (_row bigint NOT NULL, ${COLUMNS.map((c) => `"${c}" text`).join(', ')})`);
    const rnd = seededRandom(42);
    const surnames = '王李张刘陈杨黄赵吴周';
    const given = '伟芳娜秀英敏静丽强磊军洋勇艳杰';
    async function* lines() {
      let buf = '';
      for (let i = 1; i <= ROWS; i++) {
        const name = surnames[i % 10] + given[(i * 7) % 15] + (i % 3 ? given[(i * 11) % 15] : '');
        const note = i % 5000 === 0 ? `经办人身份证号${generateIdNumber(rnd)}` : '材料齐全，准予登记';
        const row = [`示范企业${i}有限公司`, name, generateIdNumber(rnd), generateMobile(rnd), `湖北省黄石市下陆区团城山路${i % 300}号`, i % 7 ? '存续' : '注销', note, String(i * 13)];
        buf += `${i}\t${row.map(copyText).join('\t')}\n`;
        if (buf.length > 1 << 16) {
          yield buf;
          buf = '';
        }
      }
      yield buf;
    }
    const started = Date.now();
    await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY scan_bench FROM STDIN`)));
    await client.query('ANALYZE scan_bench');
    log(`  table filled in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const plain = await timed(() => readAll(client, (values) => values.length));
    const discovery = await timed(() => scanVersionTable(client as never, 'scan_bench', COLUMNS.map((name) => ({ name, type: 'text' }))));
    const full = await timed(async () => {
      const scanners = COLUMNS.map((c) => new ColumnScanner(c));
      await readAll(client, (values) => values.forEach((v, i) => scanners[i].observe(v)));
      return scanners.flatMap((s) => s.findings());
    });
    log(`  plain sequential read (COPY, split into values)   ${rate(plain.ms)} rows/s  (${(plain.ms / 1000).toFixed(1)} s)`);
    log(`  discovery as ingest runs it (sample + full pass)  ${rate(discovery.ms)} rows/s  (${(discovery.ms / 1000).toFixed(1)} s)  ratio ${(plain.ms / discovery.ms).toFixed(2)} of the plain read`);
    log(`     found: ${discovery.value.findings.map((f) => `${f.column} ${f.kind}${f.embedded ? ' (in text)' : ''}`).join(', ')}`);
    log(`  every value through every rule                    ${rate(full.ms)} rows/s  (${(full.ms / 1000).toFixed(1)} s)  ratio ${(plain.ms / full.ms).toFixed(2)} of the plain read`);
  } finally {
    await client.end();
  }
}

const rate = (ms: number) => fmt(ROWS / (ms / 1000)).padStart(10);

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

async function readAll(client: Client, onRow: (values: (string | null)[]) => unknown): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  await pipeline(
    client.query(copyTo(`COPY (SELECT ${COLUMNS.map((c) => `"${c}"`).join(', ')} FROM scan_bench) TO STDOUT`)),
    new Writable({
      write(chunk: Buffer, _e, done) {
        const parts = (rest + decoder.write(chunk)).split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) onRow(parseCopyLine(line));
        done();
      },
    }),
  );
}

async function main(): Promise<void> {
  log('# Security benchmark: sensitive-field discovery (bench/security)');
  labelledSet();
  await realFiles();
  const db = await createBenchDatabase(log);
  try {
    await throughput(db.url);
  } finally {
    await db.close(process.env.BENCH_KEEP_DB === '1');
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
