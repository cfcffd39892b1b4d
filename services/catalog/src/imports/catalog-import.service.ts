import { CatalogMetadata, ComplianceFinding, DomainException, FieldProblem, checkCatalogCompliance, normalizeResourceCode, validateResourceCode } from '@gov/shared';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { CatalogMetadataDto } from '../entries/dto/catalog-metadata.dto';
import { Actor, EntriesService } from '../entries/entries.service';
import { diffMetadata } from '../entries/metadata-diff';
import { ComplianceContextLoader } from '../entries/compliance-context.loader';
import { ReferenceListService } from '../reference-list/reference-list.controller';
import { CellLocation, ParsedEntryRow, locateField, parseConfirmationWorkbook } from '../workbook/confirmation-workbook.parser';
import { WorkbookRejectedError } from '../workbook/workbook.errors';

interface PublishedRef {
  id: string;
  changeStatus: string | null;
  metadata: CatalogMetadata;
}

interface ImportDraft {
  row: number;
  metadata: CatalogMetadata;
  findings: ComplianceFinding[];
  action: 'create' | 'change' | 'unchanged';
  existingId?: string;
  resourceCode?: string;
}

/** A problem placed on a cell of the workbook. */
export interface ImportProblem extends FieldProblem {
  code: string;
  sheet: string;
  row?: number;
  column?: string;
  header?: string;
}

export interface ImportPreviewRow {
  row: number;
  name: string;
  /** create: a new draft; change: a new version of the published entry with this code; unchanged: nothing to do. */
  action: 'create' | 'change' | 'unchanged';
  resourceCode?: string;
  warnings: ComplianceFinding[];
}

export interface ImportResult {
  dryRun: boolean;
  deptId: string;
  rows: number;
  created: string[];
  changed: string[];
  preview: ImportPreviewRow[];
}

const where = (l: Omit<CellLocation, 'row'> & { row?: number }) => `${l.sheet}${l.row ? ` 第 ${l.row} 行` : ''}${l.column ? ` ${l.column} 列` : ''}${l.header ? `（${l.header}）` : ''}`;

type Place = Omit<CellLocation, 'row'> & { row?: number };

function problemAt(location: Place, code: string, zh: string, en: string): ImportProblem {
  return { field: `${location.sheet}!${location.column ?? ''}${location.row ?? ''}`, ...location, code, zh: `${where(location)}：${zh}`, en };
}

function flatten(errors: ValidationError[], parent = ''): { path: string; messages: string[] }[] {
  return errors.flatMap((e) => {
    const path = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    return [...(e.constraints ? [{ path, messages: Object.values(e.constraints) }] : []), ...flatten(e.children ?? [], path)];
  });
}

/**
 * 目录确认表 import: every row is checked (shape, compliance self-check, 一数一源, resource codes,
 * reference list coverage) and every problem is reported on its cell; nothing is saved unless the
 * whole file passes. A dry run stops there and shows what would be created.
 */
@Injectable()
export class CatalogImportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly entries: EntriesService,
    private readonly compliance: ComplianceContextLoader,
    private readonly references: ReferenceListService,
  ) {}

  async import(actor: Actor, deptId: string, file: Buffer, opts: { dryRun: boolean }): Promise<ImportResult> {
    if (!file || file.length === 0)
      throw new DomainException('IMPORT_EMPTY', HttpStatus.BAD_REQUEST, { zh: '请上传目录确认表（xlsx 文件）', en: 'Upload the confirmation table (an xlsx file) as the request body' });
    const [domains, topicItems] = await Promise.all([
      this.db.query(`SELECT code, label FROM catalog.data_domain ORDER BY code`),
      this.db.query(`SELECT item_code AS code, label FROM catalog.topic_item ORDER BY item_code`),
    ]);
    let parsed;
    try {
      parsed = await parseConfirmationWorkbook(file, { domains, topicItems });
    } catch (err) {
      if (err instanceof WorkbookRejectedError) throw new DomainException(err.code, HttpStatus.UNPROCESSABLE_ENTITY, { zh: err.zh, en: err.en });
      throw err;
    }
    if (parsed.entries.length === 0 && parsed.errors.length === 0)
      throw new DomainException('IMPORT_NO_ROWS', HttpStatus.UNPROCESSABLE_ENTITY, { zh: '目录确认表的"目录"工作表中没有填写任何条目', en: 'The 目录 sheet has no rows' });
    const problems: ImportProblem[] = parsed.errors.map((p) => ({ field: `${p.sheet}!${p.column ?? ''}${p.row ?? ''}`, ...p }));

    return this.db.transaction('REPEATABLE READ', async (m) => {
      const drafts = await this.checkRows(m, deptId, parsed.entries, problems);
      await this.checkReferenceCoverage(m, deptId, parsed.entries, problems);
      if (problems.length > 0)
        throw new DomainException('IMPORT_INVALID', HttpStatus.UNPROCESSABLE_ENTITY, {
          zh: `目录确认表有 ${problems.length} 处错误，未导入任何条目`,
          en: `The confirmation table has ${problems.length} problems; nothing was imported`,
        }, { errors: problems });
      const preview: ImportPreviewRow[] = drafts.map((d) => ({
        row: d.row,
        name: d.metadata.name ?? '',
        action: d.action,
        ...(d.resourceCode ? { resourceCode: d.resourceCode } : {}),
        warnings: d.findings.filter((f) => f.severity === 'warning'),
      }));
      if (opts.dryRun) return { dryRun: true, deptId, rows: drafts.length, created: [], changed: [], preview };
      const created = await this.entries.createDraftsIn(m, actor, deptId, drafts.filter((d) => d.action === 'create'));
      const changed: string[] = [];
      for (const d of drafts.filter((x) => x.action === 'change')) changed.push((await this.entries.startChangeIn(m, actor, d.existingId!, '目录确认表导入', d.metadata)).id);
      return { dryRun: false, deptId, rows: drafts.length, created, changed, preview };
    });
  }

  private async checkRows(m: EntityManager, deptId: string, rows: ParsedEntryRow[], problems: ImportProblem[]) {
    const context = await this.compliance.load(m, deptId);
    const systems = new Map<string, string>((await m.query(`SELECT id, name FROM catalog.information_system WHERE dept_id = $1`, [deptId])).map((s: { id: string; name: string }) => [s.name, s.id]));
    const references = new Map<string, string>((await m.query(`SELECT id, name FROM catalog.reference_item WHERE dept_id = $1`, [deptId])).map((r: { id: string; name: string }) => [r.name, r.id]));
    const names = new Map<string, number>();
    const codes = new Map<string, number>();
    const published = new Map<string, PublishedRef>(
      (
        await m.query(
          `SELECT e.id, e.resource_code, e.change_status, v.metadata FROM catalog.catalog_entry e
           JOIN catalog.entry_version v ON v.entry_id = e.id AND v.version = e.published_version
           WHERE e.dept_id = $1 AND e.status = 'published'`,
          [deptId],
        )
      ).map((r: { id: string; resource_code: string; change_status: string | null; metadata: CatalogMetadata }) => [r.resource_code, { id: r.id, changeStatus: r.change_status, metadata: r.metadata }]),
    );
    const drafts: ImportDraft[] = [];
    for (const row of rows) {
      const at = (field: string) => locateField(row, field);
      const metadata: CatalogMetadata = { ...row.metadata };
      if (row.systemName) {
        const id = systems.get(row.systemName);
        if (id) metadata.systemId = id;
        else problems.push(problemAt(at('systemId'), 'SYSTEM_UNREGISTERED', `信息系统"${row.systemName}"未在本部门登记，请先登记信息系统`, `System not registered: ${row.systemName}`));
      }
      if (row.referenceItemName) {
        const id = references.get(row.referenceItemName);
        if (id) metadata.referenceItemId = id;
        else problems.push(problemAt(at('referenceItemId'), 'REFERENCE_ITEM_UNKNOWN', `参考清单中没有本部门的事项"${row.referenceItemName}"`, `Unknown reference item: ${row.referenceItemName}`));
      }
      let existing: PublishedRef | undefined;
      if (row.resourceCode) {
        const check = validateResourceCode(row.resourceCode);
        const location = { sheet: row.sheet, row: row.row, header: '信息资源代码' };
        if (!check.valid) problems.push(problemAt(location, 'RESOURCE_CODE_INVALID', check.reason, `Invalid resource code: ${row.resourceCode}`));
        else {
          const code = normalizeResourceCode(row.resourceCode);
          existing = published.get(code);
          if (codes.has(code)) problems.push(problemAt(location, 'RESOURCE_CODE_DUPLICATE', `信息资源代码 ${code} 与第 ${codes.get(code)} 行重复`, `Duplicate resource code ${code}`));
          else if (!existing)
            problems.push(problemAt(location, 'RESOURCE_CODE_UNKNOWN', `本部门没有代码为 ${code} 的已发布目录；新目录请留空，代码在审核通过时生成`, `No published entry of this department has code ${code}`));
          else if (existing.changeStatus) problems.push(problemAt(location, 'ENTRY_CHANGE_PENDING', `目录 ${code} 已有未完成的变更，请先处理`, `Entry ${code} already has a pending change`));
          codes.set(code, row.row);
        }
      }
      const name = metadata.name?.trim();
      if (name) {
        if (names.has(name)) problems.push(problemAt(at('name'), 'DUPLICATE_ROW', `与第 ${names.get(name)} 行的信息资源名称重复`, `Same name as row ${names.get(name)}`));
        else names.set(name, row.row);
      }
      const shape = validateSync(plainToInstance(CatalogMetadataDto, metadata), { whitelist: true, forbidNonWhitelisted: true });
      for (const { path, messages } of flatten(shape)) problems.push(problemAt(at(path), 'VALUE_INVALID', `取值无效（${messages.join('；')}）`, messages.join('; ')));
      const findings = checkCatalogCompliance(metadata, context);
      if (metadata.open?.type === 'NOT_OPEN' && metadata.referenceItemId && !metadata.open.basis?.trim())
        findings.push({ field: 'open.basis', code: 'REFERENCE_NOT_OPEN_BASIS_REQUIRED', severity: 'error', zh: '参考清单事项不予开放时须填写不开放依据及理由', en: 'A reference-list item that is not opened needs a basis' });
      // An unknown system or reference item was reported above, on its own cell.
      const reported = (f: ComplianceFinding) => (f.field === 'systemId' && row.systemName) || (f.field === 'referenceItemId' && row.referenceItemName);
      for (const f of findings) if (f.severity === 'error' && !reported(f)) problems.push(problemAt(at(f.field), f.code, f.zh, f.en));
      const unchanged = existing && diffMetadata({ ...existing.metadata, publishDate: null }, { ...metadata, publishDate: null }).length === 0;
      drafts.push({ row: row.row, metadata, findings, existingId: existing?.id, resourceCode: row.resourceCode, action: existing ? (unchanged ? 'unchanged' : 'change') : 'create' });
    }
    return drafts;
  }

  /** 黄石: each reference item of the department is catalogued (here or before) or has 不开放依据及理由. */
  private async checkReferenceCoverage(m: EntityManager, deptId: string, rows: ParsedEntryRow[], problems: ImportProblem[]): Promise<void> {
    const inFile = new Set(rows.map((r) => r.referenceItemName).filter(Boolean));
    for (const item of await this.references.list({ all: true }, deptId, m))
      if (item.coverage === 'missing' && !inFile.has(item.name))
        problems.push(
          problemAt({ sheet: '目录' }, 'REFERENCE_ITEM_UNCOVERED', `参考清单事项"${item.name}"（${item.listName}）既未编目，也未说明不开放依据及理由`, `Reference item not catalogued and not exempted: ${item.name}`),
        );
  }
}
