/**
 * Throughput of validation on 1,000,000 rows × 10 columns (a USCC key, an ID number, a mobile
 * number, money, a date, a timestamp, an integer, a boolean and two texts), without parsing or a
 * database: `npm run bench:validation [-- --rows N]`. Rows are generated in small batches outside
 * the timed sections. Prints figures; asserts only that every generated row passes.
 */
import { cpus, loadavg } from 'node:os';
import { createQualityAccumulator } from '../../services/ingest/src/quality/quality-report';
import { createRowValidator } from '../../services/ingest/src/validation/row-validator';
import { BATCH, batch, mapping, specs } from '../../services/ingest/test/generated-enterprise-rows';

const arg = process.argv.indexOf('--rows');
const ROWS = arg > 0 ? Number(process.argv[arg + 1]) : 1_000_000;

function cpuOf(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

function main(): void {
  const validator = createRowValidator(specs, mapping, { now: new Date('2024-06-01T00:00:00Z'), expectedRows: ROWS });
  const quality = createQualityAccumulator(specs, { asOfColumn: '更新时间' });
  // Wall time, and CPU time of the process (all threads: GC included), which is what counts on a
  // shared machine where other processes take turns on the cores.
  let validateNs = 0;
  let observeNs = 0;
  let validateCpuUs = 0;
  let observeCpuUs = 0;
  let rejected = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  for (let start = 0; start < ROWS; start += BATCH) {
    const records = batch(start, BATCH);
    const results = new Array(records.length);
    let t = process.hrtime.bigint();
    let cpu = process.cpuUsage();
    for (let r = 0; r < records.length; r++) results[r] = validator.validate(records[r]);
    validateNs += Number(process.hrtime.bigint() - t);
    validateCpuUs += cpuOf(process.cpuUsage(cpu));
    t = process.hrtime.bigint();
    cpu = process.cpuUsage();
    for (let r = 0; r < results.length; r++) {
      const { values, problems } = results[r];
      quality.observe(values, problems);
      if (problems.length > 0) rejected++;
    }
    observeNs += Number(process.hrtime.bigint() - t);
    observeCpuUs += cpuOf(process.cpuUsage(cpu));
  }
  const report = quality.finish({ now: new Date('2024-06-01T00:00:00Z'), updateCycle: 'MONTHLY' });
  if (rejected !== 0 || report.loadedRows !== ROWS || report.uniqueness?.duplicateRows !== 0) throw new Error(`generated rows must all pass: ${rejected} rejected, ${report.uniqueness?.duplicateRows} duplicates`);

  const rate = (ns: number) => Math.round(ROWS / (ns / 1e9)).toLocaleString('en');
  const [load1] = loadavg();
  console.log(
    [
      `validation of ${ROWS.toLocaleString('en')} rows × ${specs.length} columns (USCC key, ID number, mobile, money, date, timestamp, integer, boolean, 2 texts):`,
      `  validate:          wall ${(validateNs / 1e6).toFixed(0)} ms = ${rate(validateNs)} rows/s; CPU ${(validateCpuUs / 1e3).toFixed(0)} ms = ${rate(validateCpuUs * 1e3)} rows/s`,
      `  + quality observe: wall ${(observeNs / 1e6).toFixed(0)} ms, CPU ${(observeCpuUs / 1e3).toFixed(0)} ms; together ${rate(validateNs + observeNs)} rows/s wall, ${rate((validateCpuUs + observeCpuUs) * 1e3)} rows/s CPU`,
      `  (${cpus().length} cores, load average ${load1.toFixed(1)} when done)`,
      `  key table ${(validator.keys.memoryBytes() / 1024 / 1024).toFixed(1)} MiB; heap now ${((process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024).toFixed(1)} MiB above start (garbage included)`,
      `  quality score ${report.score} (${report.grade})`,
    ].join('\n'),
  );
}

main();
