import { Global, Module } from '@nestjs/common';
import { AuditRefusalFilter } from '../access/audit-refusal.filter';
import { auditSettingsProvider } from '../audit.settings';
import { AuditLog } from './audit-log';
import { LogController } from './log.controller';

/** The log itself; global because every feature appends to it and guards its reads with the refusal filter. */
@Global()
@Module({
  controllers: [LogController],
  providers: [auditSettingsProvider, AuditLog, AuditRefusalFilter],
  exports: [auditSettingsProvider, AuditLog, AuditRefusalFilter],
})
export class LogModule {}
