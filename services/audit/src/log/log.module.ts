import { Global, Module } from '@nestjs/common';
import { AuditRefusalFilter } from '../access/audit-refusal.filter';
import { auditSettingsProvider } from '../audit.settings';
import { ArchiveReader } from '../retention/archive-reader';
import { AuditLog } from './audit-log';
import { LogController } from './log.controller';

/** The log itself and its archived part; global because every feature appends to it, reads it and guards reads with the refusal filter. */
@Global()
@Module({
  controllers: [LogController],
  providers: [auditSettingsProvider, AuditLog, ArchiveReader, AuditRefusalFilter],
  exports: [auditSettingsProvider, AuditLog, ArchiveReader, AuditRefusalFilter],
})
export class LogModule {}
