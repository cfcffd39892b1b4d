import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ServerResponse } from 'node:http';
import { correlationId } from '../http/request-context';
import { CommonErrors, DomainException, PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/** Errors raised by body-parser carry `type` and `status`; map them before Nest's generic handling. */
interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  message: string;
}

export function toDomainException(err: unknown, path: string, bodyLimit = '1mb'): DomainException {
  if (err instanceof DomainException) return err;
  const bp = err as BodyParserError;
  if (bp && typeof bp === 'object' && typeof bp.type === 'string') {
    if (bp.type === 'entity.too.large') return CommonErrors.payloadTooLarge(bodyLimit);
    if (bp.type === 'entity.parse.failed') return CommonErrors.malformedJson(bp.message);
    if (bp.type === 'charset.unsupported' || bp.type === 'encoding.unsupported') return CommonErrors.unsupportedMediaType(bp.message);
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    switch (status) {
      case HttpStatus.NOT_FOUND:
        return CommonErrors.routeNotFound(path);
      case HttpStatus.UNAUTHORIZED:
        return CommonErrors.unauthenticated();
      case HttpStatus.FORBIDDEN:
        return CommonErrors.forbidden();
      case HttpStatus.PAYLOAD_TOO_LARGE:
        return CommonErrors.payloadTooLarge(bodyLimit);
      default:
        return new DomainException(`HTTP_${status}`, status, { zh: err.message, en: err.message });
    }
  }
  return CommonErrors.internal();
}

/** The one exception filter: every error leaves as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  constructor(private readonly bodyLimit = '1mb') {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    respondWithProblem(res, exception, req.originalUrl ?? req.url, this.bodyLimit, this.logger);
  }
}

/** Any error as problem+json, server errors logged: for the global filter and the fast routes alike. */
export function respondWithProblem(res: ServerResponse, err: unknown, instance: string, bodyLimit: string, logger: { error(message: string): void }): void {
  const domain = toDomainException(err, instance, bodyLimit);
  if (domain.status >= 500) logger.error(err instanceof Error ? err.stack ?? err.message : String(err));
  sendProblem(res, domain, instance);
}

/** Node's response API only: fast routes answer with node's ServerResponse (see fast-routes.ts). */
export function sendProblem(res: ServerResponse, err: DomainException, instance: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const retry = err.extensions.retryAfterSeconds;
  if (typeof retry === 'number') res.setHeader('Retry-After', String(retry));
  const body = JSON.stringify(toProblem(err, instance, correlationId()));
  res.statusCode = err.status;
  res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body); // node leaves the body out of an answer to HEAD
}
