import { authenticateAppKey, AuthedRequest, contentTypeOf, createRecordWriter, DomainException } from '@gov/shared';
import { Injectable, NestMiddleware } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AccessLog } from '../access/access-log';
import { ApiKeyResolverService } from '../access/api-key.resolver';
import { OpenGate } from '../access/open-gate';
import { OpenCatalogService } from '../catalog/open-catalog.service';
import { OpenErrors } from '../open.errors';
import { OpenRecordsService } from './open-records.service';

/** The route this middleware answers (under the service's prefix); the controller only documents it. */
export const RECORDS_ROUTE = 'v1/datasets/:id/records';

/**
 * `GET /api/open/v1/datasets/:id/records` answered before Nest's router: on this, the busiest public
 * endpoint, the router's guard, pipes and handler plumbing add 6–10 % to the CPU of a key lookup
 * (bench/open-api/README.md). The steps are the ones every other open endpoint runs — the API key
 * through the guard's own function, then the gate (blacklist, limits, open type) — and an error
 * thrown here reaches the global problem+json filter through Nest's middleware exception handling.
 * Request context, correlation id and HTTP metrics come from the app-level middleware before it.
 */
@Injectable()
export class OpenRecordsMiddleware implements NestMiddleware {
  constructor(
    private readonly keys: ApiKeyResolverService,
    private readonly catalog: OpenCatalogService,
    private readonly records: OpenRecordsService,
    private readonly gate: OpenGate,
    private readonly access: AccessLog,
  ) {}

  async use(req: Request & AuthedRequest, res: Response): Promise<void> {
    await authenticateAppKey(req, this.keys);
    const d = await this.catalog.get(req.params.id as string);
    const caller = await this.gate.admit(req, res, 'records', d);
    const base = { ...this.gate.target(d), kind: 'records' as const, appId: caller.appId, keyPrefix: caller.keyPrefix };
    // express 5 parses the query string again on every read of req.query.
    const params = req.query as Record<string, unknown>;
    const format = params.format ?? 'json';
    let result;
    try {
      if (format !== 'json' && format !== 'csv') throw OpenErrors.badFormat(String(format));
      result = await this.records.records(d, params);
    } catch (err) {
      if (err instanceof DomainException) this.access.record({ ...base, outcome: 'denied', reasonCode: err.code, reason: err.messages.zh });
      throw err;
    }
    const { page, columns } = result;
    this.access.record({ ...base, outcome: 'allowed', fields: page.fields.map((f) => f.name), rowCount: page.records.length, personalData: page.fields.some((f) => f.masked) });
    res.setHeader('X-Dataset-Version', String(page.dataset.version));
    if (format === 'csv') {
      res.setHeader('Content-Type', contentTypeOf('csv'));
      if (page.nextCursor) res.setHeader('X-Next-Cursor', page.nextCursor);
      const rows = page.records.map((r) => columns.map((c) => r[c.name] as string | number | boolean | null));
      await pipeline(Readable.from(rows, { objectMode: true }), createRecordWriter('csv', { columns }), res);
      return;
    }
    res.json(page);
  }
}
