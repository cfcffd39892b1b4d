import { DomainException } from '@gov/shared';
import { HttpStatus } from '@nestjs/common';

const e = (code: string, status: HttpStatus, zh: string, en: string, ext: Record<string, unknown> = {}) => new DomainException(code, status, { zh, en }, ext);

/** Stable codes of data security (aggregation risk, sandbox, authorized operation). */
export const SecurityErrors = {
  aggregationRisk: (offending: string[], k: number, requiredK: number, rowsAtRisk: number) =>
    e(
      'AGGREGATION_RISK',
      HttpStatus.UNPROCESSABLE_ENTITY,
      `聚合风险：信息项组合 ${offending.join(' + ')} 可识别到个人（最小分组 ${k} 人，低于要求的 ${requiredK} 人，涉及 ${rowsAtRisk} 行），不能按此范围提供；请去掉或泛化其中的信息项`,
      `Aggregation risk: the combination ${offending.join(' + ')} singles people out (smallest group ${k}, below the required ${requiredK}; ${rowsAtRisk} rows at risk); drop or generalise one of these items`,
      { offending, k, requiredK, rowsAtRisk },
    ),
  sandboxRefused: (code: string, zh: string, en: string, ext: Record<string, unknown> = {}) => e(code, HttpStatus.UNPROCESSABLE_ENTITY, zh, en, ext),
  sandboxGrant: (zh: string, en: string) => e('SANDBOX_GRANT_INVALID', HttpStatus.FORBIDDEN, zh, en),
  sandboxTimeout: (ms: number) => e('SANDBOX_TIMEOUT', HttpStatus.UNPROCESSABLE_ENTITY, `查询超过 ${ms} 毫秒被终止（请缩小连接或筛选范围）`, `The query was stopped after ${ms} ms (narrow joins or filters)`),
  sandboxFailed: (zh: string, en: string) => e('SANDBOX_QUERY_FAILED', HttpStatus.UNPROCESSABLE_ENTITY, `查询执行失败：${zh}`, `The query failed: ${en}`),
  sandboxUnavailable: () =>
    e('SANDBOX_UNAVAILABLE', HttpStatus.SERVICE_UNAVAILABLE, '数据沙箱暂不可用：共享服务的数据库账号需要 CREATEROLE 权限以创建沙箱角色', 'The sandbox is unavailable: the sharing service’s database role needs CREATEROLE to create sandbox roles'),
  jobNotFound: (id: string) => e('SANDBOX_JOB_NOT_FOUND', HttpStatus.NOT_FOUND, `沙箱作业不存在或无权查看：${id}`, `Sandbox job not found: ${id}`),
  resultGone: () => e('SANDBOX_RESULT_EXPIRED', HttpStatus.GONE, '结果已过保存期限或未放行，不能下载', 'The result has expired or was not released'),
  operatorNotFound: (id: string) => e('OPERATOR_NOT_FOUND', HttpStatus.NOT_FOUND, `授权运营主体不存在：${id}`, `Operator not found: ${id}`),
  operatorInvalid: (zh: string, en: string) => e('OPERATOR_INVALID', HttpStatus.UNPROCESSABLE_ENTITY, zh, en),
  operatorExists: (code: string) => e('OPERATOR_EXISTS', HttpStatus.CONFLICT, `统一社会信用代码已登记为运营主体：${code}`, `An operator with this credit code exists: ${code}`),
  operatorScope: (zh: string, en: string) => e('OPERATOR_SCOPE_VIOLATION', HttpStatus.FORBIDDEN, `超出授权运营范围：${zh}`, `Outside the operator's authorisation: ${en}`),
  operatorQuota: (what: string, en: string) => e('OPERATOR_QUOTA_EXCEEDED', HttpStatus.FORBIDDEN, `已达到授权运营本月配额：${what}`, `The operator's monthly quota is used up: ${en}`),
};
