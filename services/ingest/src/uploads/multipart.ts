import type { Request } from 'express';
import busboy from 'busboy';
import { Readable } from 'node:stream';
import { IngestErrors } from '../datasets/ingest.errors';

/**
 * Hands the `file` part of a multipart request to `consume` as a stream, as it arrives (no
 * buffering in memory or on disk here). Other fields are collected as text.
 */
export function receiveMultipartFile<T>(req: Request, consume: (file: Readable, info: { fileName: string; mimeType: string }) => Promise<T>): Promise<{ result: T; fields: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // preservePath: the name is checked as sent (a `../` is refused, not silently cut); utf8: Chinese names.
      bb = busboy({ headers: req.headers, preservePath: true, defParamCharset: 'utf8', limits: { files: 1, fields: 20, fieldSize: 64 * 1024 } });
    } catch {
      reject(IngestErrors.noFile());
      return;
    }
    const fields: Record<string, string> = {};
    let pending: Promise<T> | undefined;
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      if (name !== 'file' || pending) {
        stream.resume();
        return;
      }
      pending = consume(stream, { fileName: info.filename ?? '', mimeType: info.mimeType });
      pending.catch(() => stream.resume());
    });
    bb.on('error', (err) => reject(err));
    // A client that goes away mid-file: the file stream must fail, not wait forever for the rest.
    req.on('error', (err) => bb.destroy(err));
    req.on('close', () => {
      if (!req.complete) bb.destroy(new Error('the request was aborted before the upload completed'));
    });
    bb.on('close', () => {
      if (!pending) reject(IngestErrors.noFile());
      else pending.then((result) => resolve({ result, fields }), reject);
    });
    req.pipe(bb);
  });
}
