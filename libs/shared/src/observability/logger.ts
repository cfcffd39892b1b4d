import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import { currentContext } from '../http/request-context';
import { currentService } from './service-scope';

/**
 * Structured JSON logs; every line carries the service and the current correlation id. With
 * `fromScope` (embedded mode: five services, one process logger) a line names the service whose
 * scope it was written in (service-scope.ts), and `service` only outside every scope.
 */
export function createLogger(service: string, level = 'info', opts: { fromScope?: boolean; destination?: DestinationStream } = {}): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: opts.fromScope ? {} : { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => {
      const ctx = currentContext();
      return { ...(opts.fromScope && { service: currentService() ?? service }), ...(ctx && { correlationId: ctx.correlationId }) };
    },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'password', '*.password'], censor: '[redacted]' },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** Nest's logger interface on top of pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, rest: unknown[]) {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    // @nestjs/typeorm warns when a process holds two default data sources; in embedded mode each
    // service is its own Nest container with its own DataSource, which is intended.
    if (context === 'DataSourceNameRegistry') return;
    const trace = level === 'error' && typeof rest[0] === 'string' && rest.length > 1 ? rest[0] : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object') this.logger[level]({ context, ...(message as object) });
    else this.logger[level]({ context, trace }, String(message));
  }

  log(message: unknown, ...rest: unknown[]) {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
}
