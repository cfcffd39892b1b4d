import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import pinoHttp from 'pino-http';
import { correlationIdFrom, runWithContext } from './request-context';

const QUIET = /\/(health|metrics)$/;

/**
 * First middleware of every service: takes or makes the correlation id, echoes it back, opens
 * the request's async context (logs and outbox events read it from there) and logs the request.
 */
export function requestContextMiddleware(logger: Logger) {
  const httpLogger = pinoHttp({
    logger,
    genReqId: (req) => (req as unknown as Request).correlationId ?? '',
    autoLogging: { ignore: (req) => QUIET.test(req.url ?? '') },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    serializers: { req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: req.url, id: req.id }) },
  });
  // pino-http builds a child logger per request even when nothing would be written (≈3.5% of a
  // record read's CPU in the sharing benchmark): with logging off, skip it.
  const logRequests = logger.isLevelEnabled('error');
  return (req: Request, res: Response, next: NextFunction) => {
    const id = req.correlationId ?? correlationIdFrom(req.headers['x-correlation-id'] ?? req.headers['x-request-id']);
    req.correlationId = id;
    res.setHeader('X-Correlation-Id', id);
    runWithContext({ correlationId: id, actor: { type: 'anonymous', id: 'anonymous', ip: req.ip } }, () => (logRequests ? httpLogger(req, res, next) : next()));
  };
}

declare module 'express-serve-static-core' {
  interface Request {
    correlationId?: string;
  }
}
