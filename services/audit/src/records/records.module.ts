import { Module } from '@nestjs/common';
import { TracesModule } from '../traces/traces.module';
import { AuditIngestion } from './audit-ingestion.service';
import { AuditRecordsController } from './audit-records.controller';

@Module({ imports: [TracesModule], controllers: [AuditRecordsController], providers: [AuditIngestion] })
export class RecordsModule {}
