import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SourceFormat } from '../../pipeline/contracts';
import { QualityAccumulator, QualityReport } from '../../quality/quality-report';
import type { DatasetRules, LoadRows, RowsOutcome, TableColumn } from '../load-rows';
import { Progress, QualityInput, qualityReport } from '../row-pipeline';
import { deserializeError, FromWorker, MAX_INPUT_IN_FLIGHT, ToWorker, transferable, WorkerData } from './protocol';

/** How long close() waits for the worker to finish its reject file and end, before terminating it. */
const CLOSE_WAIT_MS = 5000;

/**
 * The worker's heap comes on top of the main thread's. Young generation: V8's default (up to
 * 3 × 16 MB semi-spaces) added about 60 MB to the peak RSS of a 1,000,000-row load; with 12 MB the
 * worker adds 20–35 MB. Old generation: uncapped (the worker's default limit)
 * and a 1,000,000-row load peaked at 300–305 MB RSS; at 96 MB, 268–272 MB. A long load fills
 * whatever cap it has with garbage before a full collection: at 5,000,000 rows a second load in one
 * process peaked at 306 MB with 96 MB and 290 MB with 64 MB, at the same speed (the live heap is a
 * few record batches; the key tracker's table is off-heap; the 12 real files, XLSX included, load
 * as before). An XLSX whose shared strings outgrow it fails the job (LOAD_FAILED), as at 96 MB.
 */
const LIMITS = { maxYoungGenerationSizeMb: 12, maxOldGenerationSizeMb: 64 };

/** The worker entry next to this file: .js when built, .ts when run from source (tests, bench). */
const ENTRY = join(__dirname, `worker-main${extname(__filename)}`);

/**
 * From source the worker needs a require hook for .ts. The bench preloads bench/ingest/register.js
 * (`-r`, which a worker inherits); jest has its own transform, which a worker does not get, so the
 * worker loads the repository's bench/ingest/register.js itself. Undefined when there is none.
 */
function tsHook(): string | undefined {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const hook = join(dir, 'bench', 'ingest', 'register.js');
    if (existsSync(hook)) return hook;
    if (dirname(dir) === dir) return undefined;
  }
}

const BOOT_FROM_SOURCE = `
const { workerData } = require('node:worker_threads');
if (!require.extensions['.ts']) require(workerData.tsHook);
require(workerData.entry);
`;

/** Whether this process can start a parse worker; the reason when it cannot. */
export function workerUnavailable(): string | undefined {
  if (ENTRY.endsWith('.js') || process.execArgv.some((a) => /register\.js$/.test(a)) || tsHook()) return undefined;
  return `no TypeScript require hook for ${ENTRY}`;
}

/**
 * A load's rows processed in a worker thread (parse-worker/worker-session.ts): this thread reads
 * the file and hands its byte batches over, transferred, at most MAX_INPUT_IN_FLIGHT ahead; the
 * worker sends COPY text back, transferred, at most MAX_OUTPUT_IN_FLIGHT ahead. A SourceError in
 * the worker arrives with its code; a worker that dies fails the load.
 */
export class WorkerRows implements LoadRows {
  columns: TableColumn[] = [];
  keyColumns: number[] = [];
  format: SourceFormat = 'csv';
  encoding?: string;
  private readonly inbox: FromWorker[] = [];
  private failure?: Error;
  /** The reader of the inbox and the pump, each waiting for a message. */
  private wakeReader?: () => void;
  private wakePump?: () => void;
  private inFlight = 0;
  private outcome?: RowsOutcome;
  private counts?: QualityAccumulator;
  private readonly exited: Promise<void>;
  private closing?: Promise<void>;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'pulled') this.inFlight--;
      else if (m.type === 'error') this.fail(deserializeError(m.error));
      else this.inbox.push(m);
      this.notify();
    });
    worker.on('error', (err) => this.fail(err));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.fail(new Error(`the parse worker ended (exit code ${code})`));
        resolve();
      }),
    );
  }

  /** Starts the worker on `bytes`; resolves once it has read the header (or rejects with why it could not). */
  static async start(dataset: DatasetRules, file: { bytes: AsyncIterable<Buffer>; fileName?: string }, rejectPath: string): Promise<WorkerRows> {
    const workerData: WorkerData & { entry?: string; tsHook?: string } = { dataset: { items: dataset.items, settings: dataset.settings, keyTableBytes: dataset.keyTableBytes }, fileName: file.fileName, rejectPath };
    const worker = ENTRY.endsWith('.ts')
      ? new Worker(BOOT_FROM_SOURCE, { eval: true, resourceLimits: LIMITS, workerData: { ...workerData, entry: ENTRY, tsHook: tsHook() } })
      : new Worker(ENTRY, { resourceLimits: LIMITS, workerData });
    const rows = new WorkerRows(worker);
    void rows.pump(file.bytes);
    try {
      const opened = await rows.next();
      if (opened.type !== 'opened') throw new Error(`unexpected ${opened.type} from the parse worker`);
      Object.assign(rows, { columns: opened.columns, keyColumns: opened.keyColumns, format: opened.format, encoding: opened.encoding });
      return rows;
    } catch (err) {
      await rows.close();
      throw err;
    }
  }

  async *copyText(progress: Progress): AsyncGenerator<Buffer> {
    for (;;) {
      const m = await this.next();
      if (m.type === 'copy') {
        progress.rowsRead = m.rowsRead;
        progress.rowsRejected = m.rowsRejected;
        this.post({ type: 'ack' });
        yield Buffer.from(m.buffer, 0, m.length);
      } else if (m.type === 'done') {
        progress.rowsRead = m.rowsRead;
        progress.rowsRejected = m.rowsRejected;
        this.outcome = { total: m.total, rejectedRows: m.rejectedRows, keyOverflowFrom: m.keyOverflowFrom, findings: m.findings };
        this.counts = QualityAccumulator.revive(m.quality);
        return;
      } else throw new Error(`unexpected ${m.type} from the parse worker`);
    }
  }

  /** The worker has closed the reject file and has nothing more to do: it ends here. */
  async finish(): Promise<RowsOutcome> {
    if (!this.outcome) throw new Error('finish() before the rows were read');
    await this.close();
    return this.outcome;
  }

  lateDuplicates(count: number): void {
    if (!this.counts) throw new Error('lateDuplicates() before the rows were read');
    this.counts.lateDuplicates(count);
  }

  async quality(input: QualityInput): Promise<QualityReport> {
    if (!this.counts) throw new Error('quality() before the rows were read');
    return qualityReport(this.counts, input);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.failure ??= new Error('the load was closed');
      this.post({ type: 'abort' });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), CLOSE_WAIT_MS)));
      if ((await Promise.race([this.exited, late])) === 'late') await this.worker.terminate();
      clearTimeout(timer);
      this.notify();
    })();
    return this.closing;
  }

  /** Hands the file over in the batches it comes in; a batch that is whole ArrayBuffers is transferred. */
  private async pump(bytes: AsyncIterable<Buffer>): Promise<void> {
    let group: { buffer: ArrayBuffer; parts: number[]; end: number } | undefined;
    const send = async (buffer: ArrayBuffer, parts: number[], transfer: boolean) => {
      this.inFlight++;
      this.post({ type: 'chunk', buffer, parts }, transfer ? [buffer] : undefined);
      while (this.inFlight >= MAX_INPUT_IN_FLIGHT && !this.failure) await new Promise<void>((resolve) => (this.wakePump = resolve));
    };
    const copied = (chunk: Buffer) => send(new Uint8Array(chunk).buffer as ArrayBuffer, [0, chunk.length], true);
    try {
      for await (const chunk of bytes) {
        if (this.failure) return;
        if (chunk.length === 0) continue;
        // a read batch handed out in slices (the upload spool): sent once its last slice is here
        if (group && chunk.buffer === group.buffer && chunk.byteOffset === group.end) {
          group.parts.push(chunk.byteOffset, (group.end += chunk.length));
        } else {
          if (group) await copiedGroup(group);
          group = undefined;
          const ab = transferable(chunk, false);
          if (ab) group = { buffer: ab, parts: [0, chunk.length], end: chunk.length };
          else await copied(chunk);
        }
        if (group && group.end === group.buffer.byteLength) {
          const whole = group;
          group = undefined;
          await send(whole.buffer, whole.parts, true);
        }
      }
      if (group) await copiedGroup(group);
      if (!this.failure) this.post({ type: 'end' });
    } catch (err) {
      this.fail(err as Error);
    }

    // a batch whose buffer has more behind its slices (or lost its last one): its slices, copied
    function copiedGroup(g: { buffer: ArrayBuffer; parts: number[]; end: number }): Promise<void> {
      return send(g.buffer.slice(0, g.end), g.parts, true);
    }
  }

  private post(message: ToWorker, transfer?: ArrayBuffer[]): void {
    if (!this.closing || message.type === 'abort') this.worker.postMessage(message, transfer);
  }

  private async next(): Promise<FromWorker> {
    for (;;) {
      if (this.failure) throw this.failure;
      const m = this.inbox.shift();
      if (m) return m;
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  private notify(): void {
    const reader = this.wakeReader;
    const pump = this.wakePump;
    this.wakeReader = this.wakePump = undefined;
    reader?.();
    pump?.();
  }
}
