import 'reflect-metadata';
import { createValidationPipe, DomainException, toProblem } from '@gov/shared';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { parseRecordsQuery } from './records-query';

/** The DTO the endpoint had under the global ValidationPipe: the reference the hand parser must match. */
class RecordsQueryDto {
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) after?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100000) page?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) pageSize?: number;
  @IsOptional() @IsString() @MaxLength(4000) fields?: string;
  @IsOptional() @IsString() @MaxLength(8000) filter?: string;
}

type Outcome = { ok: Record<string, unknown> } | { status: number; problem: unknown };

async function viaPipe(raw: Record<string, unknown>): Promise<Outcome> {
  try {
    return { ok: { ...(await createValidationPipe().transform(raw, { type: 'query', metatype: RecordsQueryDto })) } };
  } catch (e) {
    return { status: (e as DomainException).status, problem: toProblem(e as DomainException, '/x') };
  }
}

function viaParser(raw: Record<string, unknown>): Outcome {
  try {
    return { ok: { ...parseRecordsQuery(raw) } };
  } catch (e) {
    return { status: (e as DomainException).status, problem: toProblem(e as DomainException, '/x') };
  }
}

// Query strings as Express gives them: strings, and arrays for repeated keys.
const INPUTS: Record<string, unknown>[] = [
  {},
  { page: '2', pageSize: '100' },
  { after: '0' },
  { after: '12345', pageSize: '1000' },
  { page: '100000' },
  { page: '100001' },
  { page: '0' },
  { page: '-3' },
  { page: '' },
  { page: ' 7 ' },
  { page: '1.5' },
  { page: '1e3' },
  { page: '0x10' },
  { page: 'abc' },
  { page: 'Infinity' },
  { page: ['1', '2'] },
  { pageSize: '0' },
  { pageSize: '1001' },
  { after: '-1', foo: 'b', page: '0' },
  { x: '1', y: '2', page: 'a' },
  { pageSize: '5', page: '0', after: 'z' },
  { fields: '企业名称,所属区划' },
  { fields: '' },
  { fields: ['a', 'b'] },
  { fields: 'x'.repeat(4000) },
  { fields: 'x'.repeat(4001) },
  { fields: '𠀀'.repeat(4000) },
  { filter: '[{"column":"所属区划","op":"eq","value":"420702"}]' },
  { filter: 'y'.repeat(8001) },
  { filter: ['[]', '[]'], fields: ['a'] },
];

describe('records query parser', () => {
  it.each(INPUTS.map((i) => [JSON.stringify(i).slice(0, 80), i]))('answers %s as the ValidationPipe with the DTO does', async (_name, raw) => {
    expect(viaParser(raw as Record<string, unknown>)).toEqual(await viaPipe(raw as Record<string, unknown>));
  });

  it('refuses unknown parameters and out-of-range numbers with every problem listed', () => {
    const out = viaParser({ pageSize: '5000', sort: 'x' });
    expect(out).toMatchObject({ status: 400, problem: { code: 'VALIDATION_FAILED', errors: [{ field: 'sort' }, { field: 'pageSize', en: 'pageSize must not be greater than 1000' }] } });
  });
});
