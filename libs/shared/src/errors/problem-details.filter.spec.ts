import 'reflect-metadata';
import { BadRequestException, ForbiddenException, HttpStatus, MethodNotAllowedException, NotFoundException, PayloadTooLargeException, UnauthorizedException } from '@nestjs/common';
import { plainToInstance, Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsString, Max, MaxLength, ValidateNested, validateSync } from 'class-validator';
import express from 'express';
import request from 'supertest';
import { toDomainException } from './problem-details.filter';
import { CommonErrors, DomainException, toProblem } from './problem';
import { createValidationPipe, flattenValidationErrors } from './validation';

/** The error body-parser really raises for a request, captured by an express error handler. */
async function bodyParserError(body: string, contentType = 'application/json', limit = '64b'): Promise<unknown> {
  let captured: unknown;
  const app = express();
  app.use(express.json({ limit }));
  app.post('/x', (_req, res) => void res.status(204).end());
  app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    captured = err;
    res.status(599).end();
  });
  const res = await request(app).post('/x').set('Content-Type', contentType).send(body);
  expect(res.status).toBe(599);
  return captured;
}

describe('toDomainException', () => {
  it('passes a DomainException through unchanged', () => {
    const err = CommonErrors.conflict('DATASET_EXISTS', { zh: '已存在', en: 'exists' });
    expect(toDomainException(err, '/x')).toBe(err);
  });

  it('maps body-parser’s entity.too.large to 413 PAYLOAD_TOO_LARGE with the configured limit', async () => {
    const raw = await bodyParserError(JSON.stringify({ text: 'x'.repeat(200) }));
    expect((raw as { type: string }).type).toBe('entity.too.large');
    const err = toDomainException(raw, '/x', '64b');
    expect(err.status).toBe(413);
    expect(err.code).toBe('PAYLOAD_TOO_LARGE');
    expect(err.messages.en).toContain('64b');
    expect(err.messages.zh).toContain('64b');
  });

  it('maps body-parser’s entity.parse.failed to 400 MALFORMED_JSON', async () => {
    const raw = await bodyParserError('{"a": ');
    expect((raw as { type: string }).type).toBe('entity.parse.failed');
    const err = toDomainException(raw, '/x');
    expect(err.status).toBe(400);
    expect(err.code).toBe('MALFORMED_JSON');
    expect(err.messages.zh).toMatch(/^请求体不是合法的 JSON：/);
  });

  it('maps an unsupported charset to 415', async () => {
    const raw = await bodyParserError('{}', 'application/json; charset=klingon');
    expect(toDomainException(raw, '/x')).toMatchObject({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('maps Nest’s NotFoundException to ROUTE_NOT_FOUND naming the path', () => {
    const err = toDomainException(new NotFoundException('Cannot GET /nope'), '/api/nope?x=1');
    expect(err.status).toBe(404);
    expect(err.code).toBe('ROUTE_NOT_FOUND');
    expect(err.messages.zh).toBe('接口不存在：/api/nope?x=1');
    expect(err.messages.en).toBe('No such endpoint: /api/nope?x=1');
  });

  it.each([
    [new UnauthorizedException(), 401, 'UNAUTHENTICATED'],
    [new ForbiddenException(), 403, 'FORBIDDEN'],
    [new PayloadTooLargeException(), 413, 'PAYLOAD_TOO_LARGE'],
    [new MethodNotAllowedException(), 405, 'HTTP_405'],
    [new BadRequestException('bad thing'), 400, 'HTTP_400'],
  ])('maps Nest’s %p to %i %s', (ex, status, code) => {
    const err = toDomainException(ex, '/x');
    expect(err).toBeInstanceOf(DomainException);
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
  });

  it.each([
    ['a generic Error', new Error('db password is hunter2')],
    ['a TypeError', new TypeError('x is undefined')],
    ['a string', 'boom'],
    ['null', null],
    ['undefined', undefined],
    ['an object with a non-string type', { type: 42, message: 'weird' }],
  ])('maps %s to 500 INTERNAL_ERROR without leaking its message', (_label, thrown) => {
    const err = toDomainException(thrown, '/x');
    expect(err.status).toBe(500);
    expect(err.code).toBe('INTERNAL_ERROR');
    expect(JSON.stringify(toProblem(err))).not.toContain('hunter2');
  });
});

describe('toProblem', () => {
  it('builds an RFC 7807 body with code, both languages, instance and correlation id', () => {
    const problem = toProblem(CommonErrors.payloadTooLarge('1mb'), '/api/upload', 'corr-abcdef12');
    expect(problem).toEqual({
      type: 'urn:govdata:problem:payload-too-large',
      title: 'Request body exceeds the limit of 1mb',
      status: 413,
      detail: '请求体超过上限 1mb',
      code: 'PAYLOAD_TOO_LARGE',
      message: { zh: '请求体超过上限 1mb', en: 'Request body exceeds the limit of 1mb' },
      instance: '/api/upload',
      correlationId: 'corr-abcdef12',
    });
  });

  it('carries extensions such as field errors and retryAfterSeconds', () => {
    const fields = [{ field: 'name', zh: 'name：不能为空', en: 'name should not be empty' }];
    expect(toProblem(CommonErrors.validation(fields))).toMatchObject({
      type: 'urn:govdata:problem:validation-failed',
      status: 400,
      code: 'VALIDATION_FAILED',
      errors: fields,
    });
    expect(toProblem(CommonErrors.rateLimited(30))).toMatchObject({ status: HttpStatus.TOO_MANY_REQUESTS, retryAfterSeconds: 30 });
  });

  it('leaves instance and correlationId out of the JSON when unknown', () => {
    const json = JSON.parse(JSON.stringify(toProblem(CommonErrors.internal())));
    expect(json).not.toHaveProperty('instance');
    expect(json).not.toHaveProperty('correlationId');
    expect(json.title).toBe('Internal server error');
    expect(json.detail).toBe('服务器内部错误');
  });
});

class AddressDto {
  @IsString() @IsNotEmpty() city: string;
  @IsString() @MaxLength(6) postcode: string;
}

class FieldDto {
  @IsString() @IsNotEmpty() name: string;
  @IsIn(['string', 'number']) type: string;
}

class RegisterDatasetDto {
  @IsString() @IsNotEmpty() title: string;
  @IsInt() @Max(5) level: number;
  @ValidateNested() @Type(() => AddressDto) address: AddressDto;
  @ValidateNested({ each: true }) @Type(() => FieldDto) fields: FieldDto[];
}

describe('flattenValidationErrors', () => {
  const invalid = {
    title: '',
    level: 9,
    address: { city: '', postcode: '2000000' },
    fields: [{ name: 'ok', type: 'string' }, { name: '', type: 'blob' }],
  };

  it('gives nested errors dotted field paths with Chinese text', () => {
    const problems = flattenValidationErrors(validateSync(plainToInstance(RegisterDatasetDto, invalid)));
    const byField = (f: string) => problems.filter((p) => p.field === f).map((p) => p.zh);

    expect([...new Set(problems.map((p) => p.field))].sort()).toEqual(
      ['address.city', 'address.postcode', 'fields.1.name', 'fields.1.type', 'level', 'title'].sort(),
    );
    expect(byField('title')).toEqual(['title：不能为空']);
    expect(byField('level')).toEqual(['level：数值过大']);
    expect(byField('address.city')).toEqual(['address.city：不能为空']);
    expect(byField('address.postcode')).toEqual(['address.postcode：长度超过上限']);
    expect(byField('fields.1.name')).toEqual(['fields.1.name：不能为空']);
    expect(byField('fields.1.type')).toEqual(['fields.1.type：取值不在允许范围内']);
    // the English text is class-validator's own
    expect(problems.find((p) => p.field === 'address.city')?.en).toBe('city should not be empty');
  });

  it('falls back to the English text for a constraint without a translation', () => {
    expect(
      flattenValidationErrors([{ property: 'code', constraints: { zzNoSuchConstraint: 'code must be frobnicated' }, children: [] }]),
    ).toEqual([{ field: 'code', en: 'code must be frobnicated', zh: 'code：code must be frobnicated' }]);
  });

  it('the global pipe turns them into VALIDATION_FAILED and refuses unknown fields', async () => {
    const pipe = createValidationPipe();
    const err = await pipe.transform({ ...invalid, owner: 'x' }, { type: 'body', metatype: RegisterDatasetDto }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainException);
    const domain = err as DomainException;
    expect(domain.code).toBe('VALIDATION_FAILED');
    expect(domain.status).toBe(400);
    const fields = (domain.extensions.errors ?? []).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['owner', 'address.city', 'fields.1.type']));
    expect(domain.extensions.errors?.find((e) => e.field === 'owner')?.zh).toBe('owner：不允许的字段');
  });

  it('the global pipe passes a valid body through as a DTO instance', async () => {
    const valid = { title: '人口', level: 3, address: { city: '杭州', postcode: '310000' }, fields: [{ name: 'id', type: 'string' }] };
    const out = await createValidationPipe().transform(valid, { type: 'body', metatype: RegisterDatasetDto });
    expect(out).toBeInstanceOf(RegisterDatasetDto);
    expect(out.address).toBeInstanceOf(AddressDto);
  });
});
