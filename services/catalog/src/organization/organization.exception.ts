import { DomainException } from '@gov/shared';
import { HttpStatus } from '@nestjs/common';

export const OrganizationErrors = {
  duplicateDepartment: (field: 'creditCode' | 'code' | 'name', value: string) =>
    new DomainException('DEPARTMENT_DUPLICATE', HttpStatus.CONFLICT, {
      zh: `部门已存在（${{ creditCode: '统一社会信用代码', code: '部门简码', name: '名称' }[field]}：${value}）`,
      en: `A department with this ${field} already exists: ${value}`,
    }, { field }),
  parentNotFound: (id: string) =>
    new DomainException('DEPARTMENT_PARENT_NOT_FOUND', HttpStatus.UNPROCESSABLE_ENTITY, { zh: `上级部门不存在：${id}`, en: `Parent department not found: ${id}` }),
};
