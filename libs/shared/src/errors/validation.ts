import { ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrors, FieldProblem } from './problem';

/** Translations of class-validator constraint names; the English text is class-validator's own. */
const ZH: Record<string, string> = {
  whitelistValidation: '不允许的字段',
  isNotEmpty: '不能为空',
  isDefined: '必须提供',
  isString: '必须是字符串',
  isInt: '必须是整数',
  isNumber: '必须是数字',
  isBoolean: '必须是布尔值',
  isIn: '取值不在允许范围内',
  isEnum: '取值不在允许范围内',
  isUUID: '必须是 UUID',
  isEmail: '必须是邮箱地址',
  isDateString: '必须是 ISO 日期',
  isISO8601: '必须是 ISO 日期',
  maxLength: '长度超过上限',
  minLength: '长度不足',
  isLength: '长度不符合要求',
  arrayUnique: '数组元素不能重复',
  isObject: '必须是对象',
  min: '数值过小',
  max: '数值过大',
  isArray: '必须是数组',
  arrayMinSize: '数组元素过少',
  arrayMaxSize: '数组元素过多',
  matches: '格式不正确',
  nestedValidation: '嵌套对象无效',
  isUscc: '不是有效的统一社会信用代码',
  isChineseIdNumber: '不是有效的居民身份证号码',
};

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.entries(e.constraints ?? {}).map(([name, en]) => ({
      field,
      en,
      zh: `${field}：${ZH[name] ?? en}`,
    }));
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

/** Global pipe: unknown fields are refused, types converted, every failure listed at once. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => CommonErrors.validation(flattenValidationErrors(errors)),
  });
}
