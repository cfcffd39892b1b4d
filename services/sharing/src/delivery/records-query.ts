import { CommonErrors, FieldProblem } from '@gov/shared';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { isInt, isString, max, maxLength, min } from 'class-validator';
import type { Request } from 'express';
import type { RecordsQuery } from './records.service';

/**
 * The records endpoint's query string, checked by hand: it is the platform's hottest route, and
 * the global ValidationPipe (class-transformer, then class-validator's metadata walk) was a
 * visible share of each read. Same rules and the same problem+json as the pipe would give for
 * the DTO below (records-query.spec.ts compares the two on the same inputs):
 *
 *   after?: int ≥ 0; page?: int 1–100000; pageSize?: int 1–1000;
 *   fields?: string ≤ 4000; filter?: string ≤ 8000; nothing else.
 */
const INTS: readonly (readonly [keyof RecordsQuery, number, number | undefined])[] = [
  ['after', 0, undefined],
  ['page', 1, 100_000],
  ['pageSize', 1, 1000],
];
const STRINGS: readonly (readonly [keyof RecordsQuery, number])[] = [
  ['fields', 4000],
  ['filter', 8000],
];
const KNOWN = new Set<string>([...INTS.map(([k]) => k), ...STRINGS.map(([k]) => k)]);

/** As class-transformer's @Type(() => Number): element-wise on arrays (repeated keys). */
const toNumber = (v: unknown): unknown => (Array.isArray(v) ? v.map(toNumber) : Number(v));

export function parseRecordsQuery(raw: Record<string, unknown>): RecordsQuery {
  const q: RecordsQuery = {};
  const problems: FieldProblem[] = [];
  const fail = (field: string, en: string, zh: string) => problems.push({ field, en, zh: `${field}：${zh}` });
  for (const k of Object.keys(raw)) if (!KNOWN.has(k)) fail(k, `property ${k} should not exist`, '不允许的字段');
  for (const [k, lo, hi] of INTS) {
    if (raw[k] === undefined || raw[k] === null) continue;
    const v = toNumber(raw[k]);
    // class-validator lists the failed constraints last-declared first: Max, Min, IsInt.
    const before = problems.length;
    if (hi !== undefined && !max(v, hi)) fail(k, `${k} must not be greater than ${hi}`, '数值过大');
    if (!min(v, lo)) fail(k, `${k} must not be less than ${lo}`, '数值过小');
    if (!isInt(v)) fail(k, `${k} must be an integer number`, '必须是整数');
    if (problems.length === before) (q as Record<string, unknown>)[k] = v;
  }
  for (const [k, limit] of STRINGS) {
    const v = raw[k];
    if (v === undefined || v === null) continue;
    const before = problems.length;
    if (!maxLength(v, limit)) fail(k, `${k} must be shorter than or equal to ${limit} characters`, '长度超过上限');
    if (!isString(v)) fail(k, `${k} must be a string`, '必须是字符串');
    if (problems.length === before) (q as Record<string, unknown>)[k] = v;
  }
  if (problems.length) throw CommonErrors.validation(problems);
  return q;
}

/**
 * `@RecordsQueryParam() q`: the parsed query. A custom decorator, so the global ValidationPipe
 * leaves it alone (validateCustomDecorators is off); the OpenAPI description is on the handler.
 */
export const RecordsQueryParam = createParamDecorator((_: unknown, ctx: ExecutionContext): RecordsQuery => parseRecordsQuery(ctx.switchToHttp().getRequest<Request>().query as Record<string, unknown>));
