import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';

/** Thrown at boot when the environment is missing or has a wrong variable; names every bad variable. */
export class ConfigValidationError extends Error {
  constructor(readonly problems: { variable: string; reason: string }[]) {
    super(
      'Invalid configuration 配置错误:\n' +
        problems.map((p) => `  - ${p.variable}: ${p.reason}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

function flatten(errors: ValidationError[]): { variable: string; reason: string }[] {
  return errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}).map((reason) => ({ variable: e.property, reason })),
    ...flatten(e.children ?? []),
  ]);
}

/** The variables a schema declares: its fields (with or without a default) and every validated property. */
function declaredFields(schema: new () => object): Set<string> {
  const fields = new Set(Object.keys(new schema()));
  for (const m of getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false)) fields.add(m.propertyName);
  return fields;
}

/**
 * Reads and validates configuration once at boot (the only place that reads process.env).
 * Only the variables the schema declares are read: the result holds its fields and nothing else
 * of the environment. Empty strings count as unset so `FOO=` in a .env file does not pass as a value.
 */
export function loadConfig<T extends object>(schema: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const plain: Record<string, string> = {};
  for (const k of declaredFields(schema)) {
    const v = env[k];
    if (typeof v === 'string' && v !== '') plain[k] = v;
  }
  const instance = plainToInstance(schema, plain, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: false, forbidUnknownValues: false });
  if (errors.length) throw new ConfigValidationError(flatten(errors));
  return instance;
}
