import { randomUUID } from 'node:crypto';
import { OperatorChangedV1, OutboxWriter, Page, pageOf, PageQuery, StaffPrincipal, toShanghaiDate, validateUscc } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { dateText, iso, updateReturning } from '../db';
import type { Grant } from '../grants/grant.model';
import { GrantsService } from '../grants/grants.service';
import { SecurityErrors } from '../security/security.errors';
import { SharingClock } from '../sharing.settings';

/** 授权运营主体: an organisation the data bureau authorises to develop government data, within a scope. */
export interface Operator {
  id: string;
  name: string;
  creditCode: string;
  /** The platform department account the operator works under (its staff submit sandbox jobs). */
  deptId: string;
  contractFrom: string;
  contractTo: string;
  entryIds: string[];
  scenarios: string[];
  monthlyJobQuota: number | null;
  monthlyRowQuota: number | null;
  status: 'active' | 'suspended' | 'ended';
  createdAt: string;
}

export interface NewOperator {
  name: string;
  creditCode: string;
  deptId: string;
  contractFrom: string;
  contractTo: string;
  entryIds: string[];
  scenarios: string[];
  monthlyJobQuota?: number;
  monthlyRowQuota?: number;
}

export interface OperatorUsage {
  operatorId: string;
  name: string;
  month: string;
  sandboxJobs: { released: number; refused: number; failed: number };
  resultRows: number;
  sourceRows: number;
  monthlyJobQuota: number | null;
  monthlyRowQuota: number | null;
  /** Rows delivered so far through the operator's flagged grants (cumulative). */
  grantRowsDelivered: number;
  grants: number;
}

const mapOperator = (r: Record<string, any>): Operator => ({
  id: r.id,
  name: r.name,
  creditCode: r.credit_code,
  deptId: r.dept_id,
  contractFrom: dateText(r.contract_from),
  contractTo: dateText(r.contract_to),
  entryIds: r.entry_ids,
  scenarios: r.scenarios,
  monthlyJobQuota: r.monthly_job_quota,
  monthlyRowQuota: r.monthly_row_quota === null ? null : Number(r.monthly_row_quota),
  status: r.status,
  createdAt: iso(r.created_at)!,
});

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * 授权运营 (鄂州 2023 item 十二: 鼓励依法依规开展政务数据授权运营): the bureau registers operators with a
 * contract period, a dataset scope and permitted scenarios; their access runs through the sandbox and
 * through grants flagged as operation, against monthly quotas of their own, and is reported per month.
 */
@Injectable()
export class OperatorsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly grants: GrantsService,
    private readonly clock: SharingClock,
  ) {}

  private event(m: EntityManager, o: Operator) {
    const payload: OperatorChangedV1 = { operatorId: o.id, name: o.name, creditCode: o.creditCode, status: o.status, contractFrom: o.contractFrom, contractTo: o.contractTo, entryIds: o.entryIds, scenarios: o.scenarios, at: new Date().toISOString() };
    return this.outbox.add(m, 'security.operator.changed', payload);
  }

  async register(staff: StaffPrincipal, n: NewOperator): Promise<Operator> {
    const code = n.creditCode.trim().toUpperCase();
    const v = validateUscc(code);
    if (!v.valid) throw SecurityErrors.operatorInvalid(`统一社会信用代码不合法：${v.reason}`, 'The unified social credit code (GB 32100) is invalid');
    if (n.contractTo <= n.contractFrom) throw SecurityErrors.operatorInvalid('合同期限的结束日期须晚于开始日期', 'The contract must end after it starts');
    if (n.scenarios.length === 0 || n.entryIds.length === 0) throw SecurityErrors.operatorInvalid('须列出授权的数据目录和应用场景', 'List the authorised catalog entries and scenarios');
    return this.dataSource.transaction(async (m) => {
      const known: { entry_id: string }[] = await m.query(`SELECT entry_id FROM sharing.catalog_entry WHERE entry_id = ANY($1) AND status='published'`, [n.entryIds]);
      const missing = n.entryIds.filter((e) => !known.some((k) => k.entry_id === e));
      if (missing.length) throw SecurityErrors.operatorInvalid(`目录不存在或未发布：${missing.join('、')}`, `Unknown or unpublished entries: ${missing.join(', ')}`);
      const rows = await m.query(
        `INSERT INTO sharing.operator (id, name, credit_code, dept_id, contract_from, contract_to, entry_ids, scenarios, monthly_job_quota, monthly_row_quota, created_by)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (credit_code) DO NOTHING RETURNING *`,
        [randomUUID(), n.name, code, n.deptId, n.contractFrom, n.contractTo, [...new Set(n.entryIds)], [...new Set(n.scenarios)], n.monthlyJobQuota ?? null, n.monthlyRowQuota ?? null, staff.userId],
      );
      if (!rows[0]) throw SecurityErrors.operatorExists(code);
      const o = mapOperator(rows[0]);
      await this.event(m, o);
      return o;
    });
  }

  /** Operators, newest first (id breaks ties), one page at a time (`{ items, total, page, pageSize }`). */
  async list(q: { status?: string } & PageQuery = {}): Promise<Page<Operator>> {
    const params: unknown[] = [];
    const where = q.status ? `WHERE status = $${params.push(q.status)}` : '';
    return pageOf(this.dataSource, { select: '*', from: `FROM sharing.operator ${where}`, orderBy: 'created_at DESC, id' }, params, q, mapOperator);
  }

  async get(id: string, m?: EntityManager): Promise<Operator> {
    const [row] = await (m ?? this.dataSource.manager).query(`SELECT * FROM sharing.operator WHERE id=$1`, [id]);
    if (!row) throw SecurityErrors.operatorNotFound(id);
    return mapOperator(row);
  }

  async setStatus(id: string, status: Operator['status']): Promise<Operator> {
    return this.dataSource.transaction(async (m) => {
      const [row] = await updateReturning(m, `UPDATE sharing.operator SET status=$2, updated_at=now() WHERE id=$1 RETURNING *`, [id, status]);
      if (!row) throw SecurityErrors.operatorNotFound(id);
      const o = mapOperator(row);
      await this.event(m, o);
      return o;
    });
  }

  /** 运营授权: flags a grant of the operator's department, within its scope, as operation. */
  async flagGrant(staff: StaffPrincipal, operatorId: string, grantId: string): Promise<Grant> {
    const o = await this.get(operatorId);
    const g = await this.grants.get({ all: true }, grantId);
    if (g.consumerDeptId !== o.deptId) throw SecurityErrors.operatorScope('授权的使用部门不是该运营主体', 'the grant is not held by the operator');
    if (!o.entryIds.includes(g.entryId)) throw SecurityErrors.operatorScope('授权的目录不在运营范围内', 'the grant’s entry is outside the operator’s scope');
    await this.dataSource.query(`UPDATE sharing.grant_ SET operator_id=$2, updated_at=now() WHERE id=$1`, [grantId, operatorId]);
    this.grants.generation++;
    void staff;
    return this.grants.get({ all: true }, grantId);
  }

  /**
   * Before a sandbox job: if it uses operation grants, the operator must be active, within its contract,
   * the entries within its scope, the scenario permitted, and this month's quotas not used up.
   * Returns the operator id (or null for ordinary grants); throws the refusal otherwise.
   */
  async checkSandboxJob(grants: Grant[], scenario: string | null, now: Date): Promise<string | null> {
    const ids = [...new Set(grants.map((g) => g.operatorId))];
    if (ids.length === 1 && ids[0] === null) return null;
    if (ids.length > 1) throw SecurityErrors.operatorScope('一次作业不能混用运营授权与其他授权', 'a job cannot mix operation grants with other grants');
    const o = await this.get(ids[0]!);
    const today = toShanghaiDate(now);
    if (o.status !== 'active') throw SecurityErrors.operatorScope(`运营主体当前为 ${o.status}`, `the operator is ${o.status}`);
    if (today < o.contractFrom || today > o.contractTo) throw SecurityErrors.operatorScope(`不在合同期限内（${o.contractFrom}～${o.contractTo}）`, `outside the contract period (${o.contractFrom}–${o.contractTo})`);
    const outside = grants.filter((g) => !o.entryIds.includes(g.entryId));
    if (outside.length) throw SecurityErrors.operatorScope('目录不在运营范围内', 'an entry is outside the operator’s scope');
    if (!scenario || !o.scenarios.includes(scenario)) throw SecurityErrors.operatorScope(`应用场景须为授权场景之一：${o.scenarios.join('、')}`, `the scenario must be one of: ${o.scenarios.join(', ')}`);
    const month = today.slice(0, 7);
    const usage = await this.usage(o.id, month);
    if (o.monthlyJobQuota !== null && usage.sandboxJobs.released >= o.monthlyJobQuota) throw SecurityErrors.operatorQuota(`沙箱作业 ${o.monthlyJobQuota} 次`, `${o.monthlyJobQuota} sandbox jobs`);
    if (o.monthlyRowQuota !== null && usage.sourceRows >= o.monthlyRowQuota) throw SecurityErrors.operatorQuota(`计算行数 ${o.monthlyRowQuota}`, `${o.monthlyRowQuota} source rows`);
    return o.id;
  }

  /** 月度使用报告: one operator's use in a month (YYYY-MM, Asia/Shanghai). */
  async usage(operatorId: string, month: string): Promise<OperatorUsage> {
    if (!MONTH.test(month)) throw SecurityErrors.operatorInvalid('月份格式为 YYYY-MM', 'month must be YYYY-MM');
    const o = await this.get(operatorId);
    const [jobs] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status='released')::int AS released, count(*) FILTER (WHERE status='refused')::int AS refused, count(*) FILTER (WHERE status='failed')::int AS failed,
              coalesce(sum(result_rows),0)::bigint AS result_rows, coalesce(sum(source_rows),0)::bigint AS source_rows
         FROM sharing.sandbox_job WHERE operator_id=$1 AND to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM') = $2`,
      [operatorId, month],
    );
    const [grants] = await this.dataSource.query(`SELECT count(*)::int AS n, coalesce(sum(rows_delivered),0)::bigint AS rows FROM sharing.grant_ WHERE operator_id=$1`, [operatorId]);
    return {
      operatorId,
      name: o.name,
      month,
      sandboxJobs: { released: jobs.released, refused: jobs.refused, failed: jobs.failed },
      resultRows: Number(jobs.result_rows),
      sourceRows: Number(jobs.source_rows),
      monthlyJobQuota: o.monthlyJobQuota,
      monthlyRowQuota: o.monthlyRowQuota,
      grantRowsDelivered: Number(grants.rows),
      grants: grants.n,
    };
  }
}
