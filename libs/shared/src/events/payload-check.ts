import { getMetadataStorage, ValidationArguments, ValidationTypes } from 'class-validator';

/** Whether a plain payload passes its contract class, decided without class-transformer or error objects. */
export type PayloadCheck = (plain: Record<string, unknown>) => boolean;

interface Constraint {
  validate(value: unknown, args: ValidationArguments): unknown;
  each: boolean;
  constraints: unknown[];
  validateIf?: (object: object, value: unknown) => boolean;
}

interface PropertyRule {
  name: string;
  /** IsOptional / ValidateIf: when one says no, the property's other checks are skipped. */
  conditions: ((object: object, value: unknown) => boolean)[];
  /** IsDefined first, as class-validator runs them, then the others. */
  checks: Constraint[];
}

const SUPPORTED = new Set<string>([ValidationTypes.CUSTOM_VALIDATION, ValidationTypes.CONDITIONAL_VALIDATION, ValidationTypes.IS_DEFINED, ValidationTypes.WHITELIST]);

/**
 * Compiles the class-validator rules of an event contract into one function, for the one question
 * the event path asks of every payload — valid or not — when it is written and again when it is
 * read. `plainToInstance` + `validateSync` answer it in ~20 µs, mostly spent copying the payload
 * into the class, finding the class's rules among every registered class, and building error
 * objects; this answers it in about a microsecond with the same constraint functions, called as
 * class-validator's executor calls them (whitelist with forbidNonWhitelisted, conditions first,
 * `each` over arrays, sets and maps). A false answer is re-checked by class-validator for its
 * message. Returns undefined for classes this does not model (nested or async validation, groups,
 * `always`, no rules at all), which keep the class-validator path.
 */
export function compilePayloadCheck(cls: new () => object): PayloadCheck | undefined {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(cls, '', false, false, undefined);
  if (metadatas.length === 0) return undefined;
  const rules = new Map<string, PropertyRule>();
  for (const m of metadatas) {
    if (!SUPPORTED.has(m.type) || m.always !== undefined || (m.groups && m.groups.length > 0)) return undefined;
    let rule = rules.get(m.propertyName);
    if (!rule) rules.set(m.propertyName, (rule = { name: m.propertyName, conditions: [], checks: [] }));
    if (m.type === ValidationTypes.WHITELIST) continue;
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      rule.conditions.push(m.constraints[0] as (object: object, value: unknown) => boolean);
      continue;
    }
    for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) {
      if (c.async) return undefined;
      const constraint: Constraint = { validate: (v, a) => c.instance.validate(v, a), each: m.each, constraints: m.constraints, validateIf: m.validateIf };
      if (m.type === ValidationTypes.IS_DEFINED) rule.checks.unshift(constraint);
      else rule.checks.push(constraint);
    }
  }
  const properties = [...rules.values()];
  const targetName = cls.name;

  const passes = (c: Constraint, object: Record<string, unknown>, property: string, value: unknown): boolean => {
    if (c.validateIf && !c.validateIf(object, value)) return true;
    const args: ValidationArguments = { targetName, property, object, value, constraints: c.constraints };
    if (c.each && (Array.isArray(value) || value instanceof Set || value instanceof Map)) {
      for (const item of value instanceof Map ? value.values() : value) if (!c.validate(item, args)) return false;
      return true;
    }
    return Boolean(c.validate(value, args));
  };

  return (object) => {
    for (const key of Object.keys(object)) if (!rules.has(key)) return false;
    for (const rule of properties) {
      const value = object[rule.name];
      let applies = true;
      for (const condition of rule.conditions) if (!condition(object, value)) applies = false;
      if (!applies) continue;
      for (const c of rule.checks) if (!passes(c, object, rule.name, value)) return false;
    }
    return true;
  };
}
