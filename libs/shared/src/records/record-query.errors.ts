import { HttpStatus } from '@nestjs/common';
import { DomainException } from '../errors/problem';

/** Stable codes of record-query refusals; every one is a 400 with a message in both languages. */
export type RecordQueryErrorCode =
  | 'QUERY_UNKNOWN_PARAMETER'
  | 'QUERY_UNKNOWN_FIELD'
  | 'QUERY_BAD_FILTER'
  | 'QUERY_BAD_OPERATOR'
  | 'QUERY_BAD_VALUE'
  | 'QUERY_BAD_LIMIT'
  | 'QUERY_LIMIT_EXCEEDED'
  | 'QUERY_BAD_ORDER'
  | 'QUERY_BAD_CURSOR'
  | 'QUERY_CURSOR_MISMATCH'
  | 'QUERY_BAD_AGGREGATE'
  | 'QUERY_TOO_COMPLEX';

/** A refused record query: a DomainException, so the problem+json filter renders it as is. */
export class RecordQueryError extends DomainException {
  constructor(code: RecordQueryErrorCode, zh: string, en: string, readonly parameter?: string) {
    super(code, HttpStatus.BAD_REQUEST, { zh, en }, parameter ? { parameter } : {});
    this.name = 'RecordQueryError';
  }
}

/** Shortens user input echoed in messages so an error body never carries a huge or hostile string. */
export function echo(value: string, max = 60): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
