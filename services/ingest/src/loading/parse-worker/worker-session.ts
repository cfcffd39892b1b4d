import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';
import { openTable } from '../../parsing';
import type { RowProblem } from '../../pipeline/contracts';
import { LoadScanner } from '../../sensitive/version-scan';
import { tableColumns } from '../load-rows';
import { Progress, RowPipeline } from '../row-pipeline';
import { FromWorker, MAX_OUTPUT_IN_FLIGHT, serializeError, ToWorker, transferable, WorkerData } from './protocol';

/** The byte batches the main thread sends, as the parser's chunks; tells it when a batch is taken. */
class ChunkQueue implements AsyncIterable<Buffer> {
  private readonly batches: { buffer: ArrayBuffer; parts: number[] }[] = [];
  private current: Buffer[] = [];
  private ended = false;
  private failure?: Error;
  private wake?: () => void;

  constructor(private readonly taken: () => void) {}

  push(buffer: ArrayBuffer, parts: number[]): void {
    this.batches.push({ buffer, parts });
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.failure) throw this.failure;
      if (this.current.length > 0) {
        yield this.current.shift()!;
        continue;
      }
      const batch = this.batches.shift();
      if (batch) {
        const { buffer, parts } = batch;
        for (let i = 0; i < parts.length; i += 2) this.current.push(Buffer.from(buffer, parts[i], parts[i + 1] - parts[i]));
        this.taken();
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/**
 * The worker's side of a load: parses the bytes the main thread sends, validates, counts, scans
 * and writes the rejects as the in-thread load does, and sends the clean rows back as COPY text.
 * The quality counts go back with the end of the rows; the report is finished in the main thread,
 * after the comparison with the previous version. An error is sent back once the reject file has
 * what was written to it. The worker ends when the main thread sends `abort` (its close()).
 */
export function runParseWorker(port: MessagePort, data: WorkerData): void {
  const post = (message: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);
  const input = new ChunkQueue(() => post({ type: 'pulled' }));
  let unacked = 0;
  let acked: (() => void) | undefined;
  let aborted = false;
  const rejectOut = createWriteStream(data.rejectPath);

  async function endRejects(): Promise<void> {
    if (rejectOut.closed) return;
    const closed = once(rejectOut, 'close').catch(() => undefined);
    rejectOut.end();
    await closed;
  }

  async function run(): Promise<void> {
    const problems: RowProblem[] = [];
    const table = await openTable(input, data.fileName, { onProblem: (p) => problems.push(p) });
    const rows = RowPipeline.create(data.dataset, table, problems, rejectOut);
    const columns = tableColumns(rows);
    post({ type: 'opened', columns, keyColumns: rows.keyColumns, format: table.format, encoding: table.encoding });
    const scanner = new LoadScanner(columns);
    const progress: Progress = { rowsRead: 0, rowsRejected: 0, bytesRead: 0 };
    for await (const text of rows.copyText(progress, (values) => scanner.observe(values))) {
      while (unacked >= MAX_OUTPUT_IN_FLIGHT && !aborted) await new Promise<void>((resolve) => (acked = resolve));
      if (aborted) throw new Error('the load was aborted');
      // copyText starts a new buffer after each one it gives, so the rest of this one is free
      const buffer = transferable(text, false) ?? (new Uint8Array(text).buffer as ArrayBuffer);
      unacked++;
      post({ type: 'copy', buffer, length: text.length, rowsRead: progress.rowsRead, rowsRejected: progress.rowsRejected }, [buffer]);
    }
    const outcome = await rows.finish();
    post({ type: 'done', ...outcome, findings: scanner.finish().findings, quality: rows.qualityCounts, rowsRead: progress.rowsRead, rowsRejected: progress.rowsRejected });
  }

  const running = run().catch(async (err) => {
    await endRejects();
    if (!aborted) post({ type: 'error', error: serializeError(err) });
  });

  port.on('message', (m: ToWorker) => {
    if (m.type === 'chunk') input.push(m.buffer, m.parts);
    else if (m.type === 'end') input.end();
    else if (m.type === 'ack') {
      unacked--;
      acked?.();
    } else {
      aborted = true;
      input.fail(new Error('the load was aborted'));
      acked?.();
      void running.then(endRejects).then(() => port.close());
    }
  });
}
