import { HttpStatus } from '@nestjs/common';

/** A message in both languages users of the platform read. */
export interface BilingualMessage {
  zh: string;
  en: string;
}

export interface FieldProblem extends BilingualMessage {
  field: string;
  /** Stable rule code, when the problem comes from a domain rule rather than a shape check. */
  code?: string;
}

/** RFC 7807 body, extended with a stable code, both languages and the correlation id. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  message: BilingualMessage;
  instance?: string;
  correlationId?: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * Base class of every domain error. `code` is stable (clients switch on it); messages are for people.
 * Services subclass it or throw it directly with a code from their own list.
 */
export class DomainException extends Error {
  constructor(
    readonly code: string,
    readonly status: HttpStatus,
    readonly messages: BilingualMessage,
    readonly extensions: { errors?: FieldProblem[]; [k: string]: unknown } = {},
  ) {
    super(messages.en);
    this.name = 'DomainException';
  }
}

/** Codes every service may answer with; services add their own next to their features. */
export const CommonErrors = {
  validation: (errors: FieldProblem[]) =>
    new DomainException('VALIDATION_FAILED', HttpStatus.BAD_REQUEST, { zh: '请求参数校验失败', en: 'Request validation failed' }, { errors }),
  malformedJson: (detail: string) =>
    new DomainException('MALFORMED_JSON', HttpStatus.BAD_REQUEST, { zh: `请求体不是合法的 JSON：${detail}`, en: `Request body is not valid JSON: ${detail}` }),
  payloadTooLarge: (limit: string) =>
    new DomainException('PAYLOAD_TOO_LARGE', HttpStatus.PAYLOAD_TOO_LARGE, { zh: `请求体超过上限 ${limit}`, en: `Request body exceeds the limit of ${limit}` }),
  unauthenticated: (reason: BilingualMessage = { zh: '未登录或令牌无效', en: 'Missing or invalid credentials' }) =>
    new DomainException('UNAUTHENTICATED', HttpStatus.UNAUTHORIZED, reason),
  tokenExpired: () => new DomainException('TOKEN_EXPIRED', HttpStatus.UNAUTHORIZED, { zh: '令牌已过期，请重新登录', en: 'The token has expired; log in again' }),
  forbidden: (needed?: string[]) =>
    new DomainException('FORBIDDEN', HttpStatus.FORBIDDEN, {
      zh: needed ? `当前角色无权执行此操作（需要：${needed.join('、')}）` : '当前角色无权执行此操作',
      en: needed ? `Your role may not do this (requires one of: ${needed.join(', ')})` : 'Your role may not do this',
    }),
  notFound: (what: BilingualMessage) =>
    new DomainException('NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `${what.zh}不存在`, en: `${what.en} not found` }),
  routeNotFound: (path: string) =>
    new DomainException('ROUTE_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `接口不存在：${path}`, en: `No such endpoint: ${path}` }),
  unsupportedMediaType: (got: string) =>
    new DomainException('UNSUPPORTED_MEDIA_TYPE', HttpStatus.UNSUPPORTED_MEDIA_TYPE, { zh: `不支持的内容类型：${got}`, en: `Unsupported content type: ${got}` }),
  conflict: (code: string, messages: BilingualMessage) => new DomainException(code, HttpStatus.CONFLICT, messages),
  rateLimited: (retryAfterSeconds: number) =>
    new DomainException('RATE_LIMITED', HttpStatus.TOO_MANY_REQUESTS, { zh: `请求过于频繁，请 ${retryAfterSeconds} 秒后重试`, en: `Too many requests; retry in ${retryAfterSeconds} s` }, { retryAfterSeconds }),
  internal: () => new DomainException('INTERNAL_ERROR', HttpStatus.INTERNAL_SERVER_ERROR, { zh: '服务器内部错误', en: 'Internal server error' }),
};

export function toProblem(err: DomainException, instance?: string, correlationId?: string): ProblemDetails {
  // Extensions come first so they can never overwrite a standard member (an extension named `status` once did).
  return {
    ...err.extensions,
    type: `urn:govdata:problem:${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: err.messages.en,
    status: err.status,
    detail: err.messages.zh,
    code: err.code,
    message: err.messages,
    instance,
    correlationId,
  };
}
