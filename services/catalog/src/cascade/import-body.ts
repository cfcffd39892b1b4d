import { CommonErrors } from '@gov/shared';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';
import { CascadeErrors } from './cascade.errors';

/**
 * The import body, parsed.
 *
 * The platform's JSON parser (createServiceApp: `express.json({ limit: BODY_LIMIT })`) is an
 * application-level middleware that runs before any route, so a JSON body over BODY_LIMIT is
 * refused with 413 before this route sees it; a route cannot raise that limit. Small exports may
 * therefore be posted as `application/json` (already parsed here); large ones are posted as
 * `application/octet-stream` (optionally `Content-Encoding: gzip`), which the global parser
 * leaves alone, and are read here up to CATALOG_CASCADE_IMPORT_LIMIT (decompressed size).
 */
export async function readImportBody(req: Request, limitBytes: number, limitLabel: string): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return req.body;
  if (type !== '' && type !== 'application/octet-stream') throw CascadeErrors.unsupportedBody(type);
  if (req.readableEnded) return undefined;

  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let source: Readable = req;
  if (encoding === 'gzip' || encoding === 'x-gzip') source = req.pipe(createGunzip());
  else if (encoding === 'deflate') source = req.pipe(createInflate());
  else if (encoding !== 'identity') throw CommonErrors.unsupportedMediaType(`Content-Encoding: ${encoding}`);
  else if (Number(req.headers['content-length'] ?? 0) > limitBytes) throw CommonErrors.payloadTooLarge(limitLabel);

  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      size += (chunk as Buffer).length;
      if (size > limitBytes) {
        // Like body-parser: stop buffering, let the rest of the upload drain, answer 413.
        req.unpipe();
        req.resume();
        throw CommonErrors.payloadTooLarge(limitLabel);
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'Z_DATA_ERROR' || (err as { code?: string }).code === 'Z_BUF_ERROR')
      throw CommonErrors.unsupportedMediaType(`Content-Encoding: ${encoding} (${(err as Error).message})`);
    throw err;
  }
  if (size === 0) return undefined;
  const text = Buffer.concat(chunks, size).toString('utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw CommonErrors.malformedJson((err as Error).message);
  }
}
