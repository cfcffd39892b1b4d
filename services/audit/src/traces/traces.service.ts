import { pageOf, recordLeafHash } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { stream as excelStream } from 'exceljs';
import { DataSource } from 'typeorm';
import { rows } from '../log/log-store';
import { AuditRecordView, toView } from '../records/audit-record.view';
import { keysMatch, SearchField, searchKey, searchKeysOf } from '../records/search-keys';
import { ArchiveReader } from '../retention/archive-reader';
import { AccessorQuery, ChainReadsQuery, TraceQuery } from './dto/trace-query.dto';

/** Events that are data accesses (sharing, open-api, ingest staff reads). */
export const ACCESS_EVENTS = ['sharing.data.accessed', 'open.data.accessed', 'ingest.data.read'];

export interface TracePage {
  items: AuditRecordView[];
  /** Pass as `cursor` for the next page; null on the last page (a page searching archives may be short, even empty, and still have one). */
  nextCursor: number | null;
}

/** The reference filters of a query as search keys (all must be present in a record). */
export function keysOf(q: TraceQuery): string[] {
  const keys: string[] = [];
  for (const f of ['actorId', 'deptId', 'appId', 'datasetId', 'entryId', 'grantId', 'requestId', 'correlationId', 'objectId'] as SearchField[]) {
    const v = q[f];
    if (v !== undefined && v !== null && v !== '') keys.push(searchKey(f, v));
  }
  return keys;
}

/** WHERE clause and parameters for a trace query: references through the GIN keys, time through BRIN. */
function where(q: TraceQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const conds: string[] = [];
  const keys = keysOf(q);
  if (keys.length) conds.push(keysMatch(`$${params.push(keys)}`));
  if (q.eventName) conds.push(`event_name = $${params.push(q.eventName)}`);
  if (q.outcome) conds.push(`outcome = $${params.push(q.outcome)}`);
  if (q.from) conds.push(`occurred_at >= $${params.push(q.from)}`);
  if (q.to) conds.push(`occurred_at < $${params.push(q.to)}`);
  if (q.cursor !== undefined) conds.push(`seq < $${params.push(q.cursor)}`);
  return { sql: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

const CSV_HEADER = ['序号 seq', '发生时间 occurredAt', '事件 event', '操作者类型 actorType', '操作者 actorId', '姓名 actorName', '操作者部门 actorDept', 'IP', '应用 appId', '数据集 datasetId', '目录 entryId', '授权 grantId', '申请 requestId', '使用方部门 consumerDept', '提供方部门 providerDept', '结果 outcome', '行数 rows', '字段 fields', '个人信息 personal', '关联号 correlationId', '叶哈希 leafHash'];

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // A leading = + - @ would be a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function exportRow(v: AuditRecordView): unknown[] {
  return [v.seq, v.occurredAt, v.eventName, v.actor?.type, v.actor?.id, v.actor?.name, v.actor?.deptId, v.actor?.ip, v.refs.appId, v.refs.datasetId, v.refs.entryId, v.refs.grantId, v.refs.requestId, v.refs.consumerDeptId, v.refs.providerDeptId, v.outcome, v.rowCount, v.fields?.join('、'), v.personalData === null ? '' : v.personalData ? '是' : '否', v.correlationId, v.leafHash];
}

/** 追溯: search, views and the chain of a dataset, all from the signed records. */
@Injectable()
export class TracesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly archive: ArchiveReader,
  ) {}

  async search(q: TraceQuery): Promise<TracePage> {
    const limit = q.limit ?? 100;
    const w = where(q);
    const list = await rows<{ body: Buffer; leaf_hash: Buffer; seq: string }>(this.ds, `SELECT seq, body, leaf_hash FROM audit.audit_record ${w.sql} ORDER BY seq DESC LIMIT ${limit + 1}`, w.params);
    const items = list.slice(0, limit).map(toView);
    if (list.length > limit) return { items, nextCursor: items[items.length - 1].seq };
    if (!(await this.archiveWanted(q))) return { items, nextCursor: null };
    // Live records all come after archived ones: the archive continues the same newest-first order.
    const need = limit - items.length;
    const keys = keysOf(q);
    const from = q.from ? Date.parse(q.from) : -Infinity;
    const to = q.to ? Date.parse(q.to) : Infinity;
    const found = await this.archive.search({
      keys,
      from: q.from,
      to: q.to,
      below: q.cursor ?? Number.MAX_SAFE_INTEGER,
      limit: need + 1,
      match: (r) => {
        if ((q.eventName && r.eventName !== q.eventName) || (q.outcome && r.outcome !== q.outcome)) return false;
        const t = Date.parse(r.occurredAt);
        if (t < from || t >= to) return false;
        const own = searchKeysOf(r);
        return keys.every((k) => own.includes(k));
      },
    });
    items.push(...found.records.slice(0, need).map((r) => toView({ body: r.body, leaf_hash: recordLeafHash(r.body) })));
    const more = found.records.length > need ? items[items.length - 1].seq : found.resumeBelow;
    return { items, nextCursor: more };
  }

  /** Archived segments are searched when asked, or when the time range reaches back into them. */
  private async archiveWanted(q: TraceQuery): Promise<boolean> {
    if (q.includeArchived !== undefined) return q.includeArchived;
    if (!q.from) return false;
    const until = await this.archive.archivedUntil();
    return until !== null && Date.parse(q.from) <= until.getTime();
  }

  /** Every matching record, page by page (for exports: never one unbounded query). */
  async *all(q: TraceQuery): AsyncGenerator<AuditRecordView> {
    let cursor = q.cursor;
    for (;;) {
      const page = await this.search({ ...q, cursor, limit: 1000 });
      yield* page.items;
      if (page.nextCursor === null) return;
      cursor = page.nextCursor;
    }
  }

  async exportCsv(q: TraceQuery, res: Response): Promise<void> {
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent('审计记录.csv')}`);
    res.write('\ufeff' + CSV_HEADER.map(csvCell).join(',') + '\r\n');
    for await (const v of this.all(q)) {
      if (!res.write(exportRow(v).map(csvCell).join(',') + '\r\n')) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }

  async exportXlsx(q: TraceQuery, res: Response): Promise<void> {
    res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent('审计记录.xlsx')}`);
    // The streaming writer keeps memory flat whatever the number of rows.
    const wb = new excelStream.xlsx.WorkbookWriter({ stream: res, useStyles: false, useSharedStrings: false });
    const sheet = wb.addWorksheet('审计记录');
    sheet.addRow(CSV_HEADER).commit();
    for await (const v of this.all(q)) sheet.addRow(exportRow(v)).commit();
    sheet.commit();
    await wb.commit();
  }

  /** 谁访问了这个数据集: accessors with counts, rows, refusals, first and last access. */
  async readersOf(datasetId: string, q: AccessorQuery) {
    const params: unknown[] = [datasetId, ACCESS_EVENTS, [searchKey('datasetId', datasetId)]];
    let range = '';
    if (q.from) range += ` AND occurred_at >= $${params.push(q.from)}`;
    if (q.to) range += ` AND occurred_at < $${params.push(q.to)}`;
    // Most recent first; the group's key breaks ties, so pages never overlap or skip an accessor.
    return pageOf(
      this.ds,
      {
        select: '*',
        from: `FROM (SELECT actor_type, actor_id, app_id, coalesce(consumer_dept_id, actor_dept_id) AS dept_id,
              max(convert_from(body, 'UTF8')::jsonb #>> '{actor,name}') AS actor_name,
              count(*) AS accesses, count(*) FILTER (WHERE outcome = 'denied') AS denied, coalesce(sum(row_count) FILTER (WHERE outcome = 'allowed'), 0) AS rows,
              bool_or(coalesce(personal_data, false)) AS personal_data, min(occurred_at) AS first_at, max(occurred_at) AS last_at
       FROM audit.audit_record WHERE ${keysMatch(`$3`)} AND dataset_id = $1 AND event_name = ANY($2)${range}
       GROUP BY 1, 2, 3, 4) g`,
        orderBy: 'last_at DESC, actor_type, actor_id, app_id, dept_id',
      },
      params,
      q,
      (r) => ({
      actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
      appId: r.app_id,
      deptId: r.dept_id,
      accesses: Number(r.accesses),
      denied: Number(r.denied),
      rows: Number(r.rows),
      personalData: r.personal_data,
      firstAt: new Date(r.first_at).toISOString(),
      lastAt: new Date(r.last_at).toISOString(),
      }),
    );
  }

  /** 这个用户 / 应用 / 部门访问了什么: datasets with counts and rows. */
  async accessedBy(q: AccessorQuery) {
    const params: unknown[] = [ACCESS_EVENTS];
    const conds: string[] = ['event_name = ANY($1)'];
    const keys = keysOf({ actorId: q.actorId, appId: q.appId, deptId: q.deptId });
    if (keys.length) conds.push(keysMatch(`$${params.push(keys)}`));
    if (q.deptId) {
      const p = `$${params.push(q.deptId)}`;
      conds.push(`(consumer_dept_id = ${p} OR actor_dept_id = ${p})`);
    }
    if (q.from) conds.push(`occurred_at >= $${params.push(q.from)}`);
    if (q.to) conds.push(`occurred_at < $${params.push(q.to)}`);
    return pageOf(
      this.ds,
      {
        select: '*',
        from: `FROM (SELECT dataset_id, entry_id, provider_dept_id, count(*) AS accesses, count(*) FILTER (WHERE outcome = 'denied') AS denied,
              coalesce(sum(row_count) FILTER (WHERE outcome = 'allowed'), 0) AS rows, bool_or(coalesce(personal_data, false)) AS personal_data,
              min(occurred_at) AS first_at, max(occurred_at) AS last_at
       FROM audit.audit_record WHERE ${conds.join(' AND ')}
       GROUP BY 1, 2, 3) g`,
        orderBy: 'last_at DESC, dataset_id, entry_id, provider_dept_id',
      },
      params,
      q,
      (r) => ({
      datasetId: r.dataset_id,
      entryId: r.entry_id,
      providerDeptId: r.provider_dept_id,
      accesses: Number(r.accesses),
      denied: Number(r.denied),
      rows: Number(r.rows),
      personalData: r.personal_data,
      firstAt: new Date(r.first_at).toISOString(),
      lastAt: new Date(r.last_at).toISOString(),
      }),
    );
  }

  /** The entry a dataset was registered for, from the first record that names both. */
  private async entryOf(datasetId: string): Promise<string | null> {
    const [link] = await rows<{ entry_id: string }>(this.ds, `SELECT entry_id FROM audit.audit_record WHERE ${keysMatch(`$2`)} AND dataset_id = $1 AND entry_id IS NOT NULL ORDER BY seq LIMIT 1`, [datasetId, [searchKey('datasetId', datasetId)]]);
    return link?.entry_id ?? null;
  }

  /** WHERE of the reads of a dataset (or its entry): one GIN lookup with && (overlap). */
  private readsWhere(datasetId: string, entryId: string | null, outcome?: 'allowed' | 'denied'): { sql: string; params: unknown[] } {
    const keys = [searchKey('datasetId', datasetId), ...(entryId ? [searchKey('entryId', entryId)] : [])];
    const params: unknown[] = [keys, ACCESS_EVENTS];
    let sql = `${keysMatch(`$1`, '&&')} AND event_name = ANY($2)`;
    if (outcome) sql += ` AND outcome = $${params.push(outcome)}`;
    return { sql, params };
  }

  /** 数据链条 ④: the reads of a dataset, oldest first (seq is unique: pages never overlap), one page at a time. */
  async chainReads(datasetId: string, q: ChainReadsQuery = {}, entryId?: string | null) {
    const entry = entryId === undefined ? await this.entryOf(datasetId) : entryId;
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 20;
    const w = this.readsWhere(datasetId, entry, q.outcome);
    const n = w.params.length;
    const [[{ total }], list] = await Promise.all([
      rows<{ total: string }>(this.ds, `SELECT count(*) AS total FROM audit.audit_record WHERE ${w.sql}`, w.params),
      rows<{ body: Buffer; leaf_hash: Buffer }>(this.ds, `SELECT body, leaf_hash FROM audit.audit_record WHERE ${w.sql} ORDER BY seq LIMIT $${n + 1} OFFSET $${n + 2}`, [...w.params, pageSize, (page - 1) * pageSize]),
    ]);
    return { items: list.map(toView), total: Number(total), page, pageSize };
  }

  /**
   * 数据链条: catalog versions → ingest versions → requests and grants → the reads of the dataset.
   * The first three are short (versions and decisions); the reads come one page at a time
   * (`page`, `pageSize`; the next pages from chainReads), their totals counted in SQL.
   */
  async chain(datasetId: string, q: ChainReadsQuery = {}) {
    const entryId = await this.entryOf(datasetId);
    const select = async (cond: string, params: unknown[], limit = 1000) =>
      (await rows<{ body: Buffer; leaf_hash: Buffer }>(this.ds, `SELECT body, leaf_hash FROM audit.audit_record WHERE ${cond} ORDER BY seq LIMIT ${limit}`, params)).map(toView);
    const ds = [searchKey('datasetId', datasetId)];
    const en = entryId ? [searchKey('entryId', entryId)] : [];
    const catalog = entryId ? await select(`${keysMatch(`$1`)} AND event_name LIKE 'catalog.%'`, [en]) : [];
    const ingest = await select(`${keysMatch(`$1`)} AND event_name IN ('ingest.dataset.created', 'ingest.version.published', 'ingest.version.failed')`, [ds]);
    const grants = entryId ? await select(`${keysMatch(`$1`)} AND (event_name LIKE 'sharing.grant.%' OR event_name LIKE 'sharing.request.%')`, [en]) : [];
    const w = this.readsWhere(datasetId, entryId);
    const [counts] = await rows<{ allowed: string; denied: string }>(
      this.ds,
      `SELECT count(*) FILTER (WHERE outcome = 'allowed') AS allowed, count(*) FILTER (WHERE outcome = 'denied') AS denied FROM audit.audit_record WHERE ${w.sql}`,
      w.params,
    );
    const reads = await this.chainReads(datasetId, q, entryId);
    return {
      datasetId,
      entryId,
      catalogVersions: catalog,
      ingestVersions: ingest,
      grants,
      reads,
      summary: {
        catalogVersions: new Set(catalog.filter((r) => r.eventName === 'catalog.entry.published').map((r) => r.refs.version)).size,
        ingestVersions: ingest.filter((r) => r.eventName === 'ingest.version.published').length,
        grants: new Set(grants.map((r) => r.refs.grantId).filter(Boolean)).size,
        reads: Number(counts.allowed),
        refused: Number(counts.denied),
      },
    };
  }
}
