/**
 * Messages between a load (main thread) and its parse worker. Byte chunks go in, COPY text comes
 * out, both as transferred ArrayBuffers; each side has a bounded number of messages in flight.
 */
import type { ColumnFinding } from '@gov/shared';
import type { SourceFormat } from '../../pipeline/contracts';
import { SourceError } from '../../pipeline/contracts';
import type { DatasetRules, TableColumn } from '../load-rows';

/** Input messages (byte batches) the worker may hold before it has taken them. */
export const MAX_INPUT_IN_FLIGHT = 4;
/** COPY text buffers the worker may send before the main thread has taken them. */
export const MAX_OUTPUT_IN_FLIGHT = 4;

export interface WorkerData {
  dataset: DatasetRules;
  fileName?: string;
  rejectPath: string;
}

export type ToWorker =
  /** `parts`: [start, end) byte ranges of `buffer`, in order, each one parser chunk. */
  | { type: 'chunk'; buffer: ArrayBuffer; parts: number[] }
  | { type: 'end' }
  | { type: 'ack' }
  | { type: 'abort' };

export type FromWorker =
  | { type: 'opened'; columns: TableColumn[]; keyColumns: number[]; format: SourceFormat; encoding?: string }
  | { type: 'pulled' }
  | { type: 'copy'; buffer: ArrayBuffer; length: number; rowsRead: number; rowsRejected: number }
  /** `quality`: the QualityAccumulator's fields (QualityAccumulator.revive). */
  | { type: 'done'; total: number; rejectedRows: number; keyOverflowFrom: number; findings: ColumnFinding[]; quality: object; rowsRead: number; rowsRejected: number }
  | { type: 'error'; error: SerializedError };

export type SerializedError = { source: true; code: string; zh: string; en: string } | { source: false; message: string; stack?: string };

export function serializeError(err: unknown): SerializedError {
  if (err instanceof SourceError) return { source: true, code: err.code, zh: err.zh, en: err.en };
  const e = err instanceof Error ? err : new Error(String(err));
  return { source: false, message: e.message, stack: e.stack };
}

/** The worker's error as this thread throws it: a SourceError keeps its code and messages. */
export function deserializeError(s: SerializedError): Error {
  if (s.source) return new SourceError(s.code, s.zh, s.en);
  const err = new Error(s.message);
  if (s.stack) err.stack = s.stack;
  return err;
}

/**
 * The ArrayBuffer `buf` starts, when it is not Node's shared pool of small buffers, so it can be
 * transferred; `whole`: only when `buf` spans all of it (nothing else may view the rest).
 */
export function transferable(buf: Uint8Array, whole: boolean): ArrayBuffer | undefined {
  const ab = buf.buffer as ArrayBuffer;
  if (buf.byteOffset !== 0 || ab.byteLength <= Buffer.poolSize || (whole && buf.byteLength !== ab.byteLength)) return undefined;
  return ab;
}
