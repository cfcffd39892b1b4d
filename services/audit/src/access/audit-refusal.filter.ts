import { currentContext, DomainException, ProblemDetailsFilter, SERVICE_RUNTIME, ServiceRuntime } from '@gov/shared';
import { ArgumentsHost, Catch, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { AuditLog } from '../log/audit-log';

/**
 * Whoever is refused the audit log (403) leaves a record of trying: 审计日志的拒绝访问本身被审计.
 * Bound to every audit controller; the answer is the platform's usual problem+json.
 */
@Catch()
@Injectable()
export class AuditRefusalFilter extends ProblemDetailsFilter {
  private readonly log = new Logger('AuditRefusal');

  constructor(
    private readonly audit: AuditLog,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(SERVICE_RUNTIME) runtime: ServiceRuntime,
  ) {
    super(runtime.settings.bodyLimit);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() === 'http' && exception instanceof DomainException && exception.status === HttpStatus.FORBIDDEN) {
      const req = host.switchToHttp().getRequest<Request>();
      const ctx = currentContext();
      void this.audit
        .enqueueOwn(this.ds, 'audit.access.refused', ctx?.actor?.id ?? 'unknown', { method: req.method, path: req.originalUrl ?? req.url, code: exception.code, outcome: 'denied' }, { actor: ctx?.actor, correlationId: ctx?.correlationId })
        .catch((err) => this.log.error(`could not record a refused access: ${(err as Error).message}`));
    }
    super.catch(exception, host);
  }
}
