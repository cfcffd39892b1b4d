import { ComplianceFinding, DomainException, FieldProblem } from '@gov/shared';
import { HttpStatus } from '@nestjs/common';

const STATUS_ZH: Record<string, string> = { draft: '草稿', submitted: '待审核', returned: '已退回', published: '已发布', retired: '已下架', approved: '已通过', superseded: '已被替代' };

export const findingsToProblems = (findings: readonly ComplianceFinding[]): FieldProblem[] =>
  findings.filter((f) => f.severity === 'error').map((f) => ({ field: f.field, zh: f.zh, en: f.en, code: f.code }));

export const CatalogErrors = {
  entryNotFound: (id: string) =>
    new DomainException('ENTRY_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `目录条目不存在或无权查看：${id}`, en: `Catalog entry not found: ${id}` }),
  wrongState: (action: { zh: string; en: string }, state: string) =>
    new DomainException('ENTRY_STATE_CONFLICT', HttpStatus.CONFLICT, {
      zh: `当前状态（${STATUS_ZH[state] ?? state}）不能${action.zh}`,
      en: `Cannot ${action.en} while the entry is ${state}`,
    }, { state }),
  notOwner: () =>
    new DomainException('ENTRY_NOT_OWNED', HttpStatus.FORBIDDEN, { zh: '只能编辑本部门的目录', en: 'You may only edit your own department’s entries' }),
  noncompliant: (findings: readonly ComplianceFinding[]) =>
    new DomainException('CATALOG_NONCOMPLIANT', HttpStatus.UNPROCESSABLE_ENTITY, {
      zh: `目录未通过合规自检，共 ${findings.filter((f) => f.severity === 'error').length} 项问题`,
      en: 'The entry fails the compliance check',
    }, { errors: findingsToProblems(findings) }),
  commentsRequired: () =>
    new DomainException('REVIEW_COMMENTS_REQUIRED', HttpStatus.BAD_REQUEST, { zh: '退回时须填写审核意见（总体或逐字段）', en: 'Returning an entry needs at least one comment' }),
  versionNotFound: (v: number) =>
    new DomainException('VERSION_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `版本不存在：${v}`, en: `Version not found: ${v}` }),
  departmentNotFound: (id: string) =>
    new DomainException('DEPARTMENT_NOT_FOUND', HttpStatus.UNPROCESSABLE_ENTITY, { zh: `部门不存在：${id}`, en: `Department not found: ${id}` }),
};
