import { DomainException } from '@gov/shared';
import { HttpStatus } from '@nestjs/common';

export const OneSourceErrors = {
  conflictNotFound: (id: string) => new DomainException('CONFLICT_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `冲突记录不存在：${id}`, en: `Conflict not found: ${id}` }),
  alreadyResolved: () => new DomainException('CONFLICT_ALREADY_RESOLVED', HttpStatus.CONFLICT, { zh: '该冲突已处理', en: 'The conflict is already resolved' }),
  resolutionIncomplete: (zh: string, en: string) => new DomainException('CONFLICT_RESOLUTION_INCOMPLETE', HttpStatus.BAD_REQUEST, { zh, en }),
  elementNameTaken: (name: string) => new DomainException('DATA_ELEMENT_NAME_TAKEN', HttpStatus.CONFLICT, { zh: `数据元名称已被占用：${name}`, en: `Data element name already used: ${name}` }),
  mergeTargetUnpublished: (state: string) =>
    new DomainException('CONFLICT_MERGE_TARGET_UNPUBLISHED', HttpStatus.CONFLICT, {
      zh: '待合并下架的目录尚未发布（正在编制或审核中），请先完成审核再合并，或退回该目录',
      en: `The entry to retire by the merge is not published (${state}); finish its review first`,
    }, { state }),
  sourceEntryMismatch: () =>
    new DomainException('DATA_ELEMENT_SOURCE_ENTRY_MISMATCH', HttpStatus.UNPROCESSABLE_ENTITY, { zh: '数源目录必须是数源部门已发布的目录', en: 'The source entry must be a published entry of the source department' }),
};
