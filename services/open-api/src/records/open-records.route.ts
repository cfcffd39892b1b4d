import { authenticateAppKey, AuthedRequest, contentTypeOf, createRecordWriter, DomainException, FastRequest, FastRoute } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AccessLog } from '../access/access-log';
import { ApiKeyResolverService } from '../access/api-key.resolver';
import { OpenGate } from '../access/open-gate';
import { OpenCatalogService, OpenDatasetRow } from '../catalog/open-catalog.service';
import { OpenErrors } from '../open.errors';
import { OpenRecordsService } from './open-records.service';

/**
 * The answer to a records query is fixed by the loaded (masked) table and the query itself, so its
 * tag needs neither the rows nor a hash of the body, and a client repeating a query is answered
 * 304 before any database read. A new version or a reload is a new table, hence a new tag.
 */
export function recordsEtag(d: OpenDatasetRow, url: string): string {
  const q = url.indexOf('?');
  return `W/"${createHash('sha1').update(`${d.table_name}\n${q < 0 ? '' : url.slice(q + 1)}`).digest('base64url')}"`;
}

/** If-None-Match against a weak tag: weak comparison, lists and `*` (RFC 9110 13.1.2). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = etag.replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === opaque;
  });
}

/**
 * `GET /api/open/v1/datasets/:id/records`, the busiest public endpoint, served as a fast route
 * (libs/shared/src/http/fast-routes.ts): before the service's express router, after its app-level
 * middleware. The steps are the ones every other open endpoint runs — the API key through the
 * guard's own function, then the gate (blacklist, limits, open type) — and what it throws leaves as
 * problem+json through the global filter's function. The controller method only documents it.
 */
@Injectable()
export class OpenRecordsRoute implements FastRoute {
  readonly path = 'v1/datasets/:id/records';

  constructor(
    private readonly keys: ApiKeyResolverService,
    private readonly catalog: OpenCatalogService,
    private readonly records: OpenRecordsService,
    private readonly gate: OpenGate,
    private readonly access: AccessLog,
  ) {}

  async handle(req: FastRequest & AuthedRequest, res: ServerResponse): Promise<void> {
    await authenticateAppKey(req, this.keys);
    const d = await this.catalog.get(req.params.id);
    const caller = await this.gate.admit(req, res, 'records', d);
    const base = { ...this.gate.target(d), kind: 'records' as const, appId: caller.appId, keyPrefix: caller.keyPrefix };
    const params = req.query;
    const format = params.format ?? 'json';
    const etag = recordsEtag(d, req.url);
    let result;
    try {
      if (format !== 'json' && format !== 'csv') throw OpenErrors.badFormat(String(format));
      this.records.assertReleased(d);
      if (d.table_name && matchesEtag(req.headers['if-none-match'], etag)) {
        // Nothing is sent, but the call is counted and audited like any other.
        this.access.record({ ...base, outcome: 'allowed', fields: [], rowCount: 0 });
        res.statusCode = 304;
        res.setHeader('ETag', etag);
        res.end();
        return;
      }
      result = await this.records.records(d, params);
    } catch (err) {
      if (err instanceof DomainException) this.access.record({ ...base, outcome: 'denied', reasonCode: err.code, reason: err.messages.zh });
      throw err;
    }
    const { page, columns } = result;
    this.access.record({ ...base, outcome: 'allowed', fields: page.fields.map((f) => f.name), rowCount: page.records.length, personalData: page.fields.some((f) => f.masked) });
    res.setHeader('X-Dataset-Version', String(page.dataset.version));
    res.setHeader('ETag', etag);
    if (format === 'csv') {
      res.setHeader('Content-Type', contentTypeOf('csv'));
      if (page.nextCursor) res.setHeader('X-Next-Cursor', page.nextCursor);
      const rows = page.records.map((r) => columns.map((c) => r[c.name] as string | number | boolean | null));
      await pipeline(Readable.from(rows, { objectMode: true }), createRecordWriter('csv', { columns }), res);
      return;
    }
    // One write of a string: res.json would hash the body for its own ETag and copy it into a Buffer.
    const body = JSON.stringify(page);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  }
}
