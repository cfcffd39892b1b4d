import { DomainException } from '@gov/shared';
import { HttpStatus } from '@nestjs/common';

const e = (code: string, status: HttpStatus, zh: string, en: string, ext: Record<string, unknown> = {}) => new DomainException(code, status, { zh, en }, ext);

/** Stable codes of the developer sandbox; the dialect's refusals keep the codes they have in sharing (SANDBOX_*). */
export const OpenSandboxErrors = {
  refused: (code: string, zh: string, en: string, ext: Record<string, unknown> = {}) => e(code, HttpStatus.UNPROCESSABLE_ENTITY, zh, en, ext),
  notApproved: (zh: string, en: string) => e('OPEN_SANDBOX_NOT_APPROVED', HttpStatus.FORBIDDEN, `不能使用数据沙箱：${zh}`, `The sandbox is not available: ${en}`),
  timeout: (ms: number) => e('SANDBOX_TIMEOUT', HttpStatus.UNPROCESSABLE_ENTITY, `查询超过 ${ms} 毫秒被终止（请缩小连接或筛选范围）`, `The query was stopped after ${ms} ms (narrow joins or filters)`),
  failed: (sqlstate: string) => e('SANDBOX_QUERY_FAILED', HttpStatus.UNPROCESSABLE_ENTITY, `查询执行失败：SQLSTATE ${sqlstate}`, `The query failed: SQLSTATE ${sqlstate}`),
  unavailable: () =>
    e('SANDBOX_UNAVAILABLE', HttpStatus.SERVICE_UNAVAILABLE, '数据沙箱暂不可用：开放服务的数据库账号需要 CREATEROLE 权限以创建沙箱角色', 'The sandbox is unavailable: the open-api service’s database role needs CREATEROLE to create sandbox roles'),
  jobNotFound: (id: string) => e('SANDBOX_JOB_NOT_FOUND', HttpStatus.NOT_FOUND, `沙箱作业不存在或无权查看：${id.slice(0, 40)}`, `Sandbox job not found: ${id.slice(0, 40)}`),
  resultGone: () => e('SANDBOX_RESULT_EXPIRED', HttpStatus.GONE, '结果已过保存期限或未放行，不能下载', 'The result has expired or was not released'),
};
