import { AuditLogRecord, decodeRecord, decodeSegment, DomainException, OBJECT_STORAGE, ObjectStorage } from '@gov/shared';
import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { stream as excelStream } from 'exceljs';
import { DataSource } from 'typeorm';
import { AUDIT_SETTINGS, AuditSettings } from '../audit.settings';
import { rows } from '../log/log-store';
import { storedSegments } from '../log/log-verification';
import { assess, ASSESSMENT_EVENTS, AssessmentReport, parsePeriod } from './assessment';

export const ReportErrors = {
  badPeriod: (label: string) =>
    new DomainException('AUDIT_BAD_PERIOD', HttpStatus.BAD_REQUEST, { zh: `考核周期格式应为 2026-03、2026-Q1 或 2026，收到「${label}」`, en: `A period is 2026-03, 2026-Q1 or 2026; got "${label}"` }),
};

const COLUMNS: [string, string][] = [
  ['rank', '排名'], ['name', '部门'], ['regionCode', '行政区划'], ['score', '综合得分'], ['entries', '目录数'], ['newEntries', '新增目录'],
  ['openEntries', '开放数据集'], ['openRate', '开放率'], ['interfaceShare', '接口共享占比'], ['requestsDecided', '答复共享申请'],
  ['requestsOnTimeRate', '按时答复率'], ['timeliness', '更新及时率'], ['qualityScore', '数据质量得分'], ['rectificationsClosed', '办结整改'],
  ['rectificationOnTimeRate', '整改按时率'], ['feedbackReceived', '公众意见'], ['feedbackAnsweredRate', '意见答复率'],
];

/** 考核评估 from the audit log: archived segments first, then the live records, in log order. */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(AUDIT_SETTINGS) private readonly settings: AuditSettings,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
  ) {}

  /** Archived records count too: cumulative figures (entries at the end) need the whole history. */
  private async archived(end: Date): Promise<AuditLogRecord[]> {
    const [{ n }] = await rows<{ n: string }>(this.ds, `SELECT count(*) AS n FROM audit.archive_segment`);
    if (Number(n) === 0) return [];
    const wanted = new Set(ASSESSMENT_EVENTS);
    const out: AuditLogRecord[] = [];
    for (const { fileKey, manifest } of await storedSegments(this.storage)) {
      const parts: Buffer[] = [];
      for await (const c of await this.storage.get(fileKey)) parts.push(c as Buffer);
      for (const e of decodeSegment(Buffer.concat(parts), manifest.fromSeq)) {
        const r = decodeRecord(e.body);
        if (wanted.has(r.eventName) && Date.parse(r.occurredAt) < end.getTime()) out.push(r);
      }
    }
    return out;
  }

  async assessment(label: string): Promise<AssessmentReport> {
    const period = parsePeriod(label, this.settings.utcOffsetMinutes);
    if (!period) throw ReportErrors.badPeriod(label);
    const list = await rows<{ body: Buffer }>(this.ds, `SELECT body FROM audit.audit_record WHERE event_name = ANY($1) AND occurred_at < $2 ORDER BY seq`, [ASSESSMENT_EVENTS, period.end]);
    return assess([...(await this.archived(period.end)), ...list.map((r) => decodeRecord(r.body))], period, this.settings.utcOffsetMinutes);
  }

  async assessmentXlsx(label: string, res: Response): Promise<void> {
    const report = await this.assessment(label);
    res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    res.setHeader('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(`考核评估-${label}.xlsx`)}`);
    const wb = new excelStream.xlsx.WorkbookWriter({ stream: res, useStyles: false, useSharedStrings: false });
    const sheet = wb.addWorksheet('部门排名');
    sheet.addRow(COLUMNS.map(([, zh]) => zh)).commit();
    for (const d of report.departments) sheet.addRow(COLUMNS.map(([k]) => (d as any)[k] ?? '')).commit();
    sheet.addRow(COLUMNS.map(([k], i) => (i === 1 ? '全市合计' : k === 'rank' || k === 'regionCode' ? '' : ((report.total as any)[k] ?? '')))).commit();
    sheet.commit();
    const regions = wb.addWorksheet('区域');
    regions.addRow(['行政区划', ...COLUMNS.slice(3).map(([, zh]) => zh)]).commit();
    for (const r of report.regions) regions.addRow([r.regionCode, ...COLUMNS.slice(3).map(([k]) => (r as any)[k] ?? '')]).commit();
    regions.commit();
    await wb.commit();
  }
}
