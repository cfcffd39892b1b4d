import { PlatformModule, ServiceRuntime } from '@gov/shared';
import { DynamicModule, Module } from '@nestjs/common';
import { InitialAuditSchema1732400000000 } from './migrations/1732400000000-initial-audit-schema';
import { AuditRecord } from './records/audit-record.entity';
import { RecordsModule } from './records/records.module';

/** 审计服务: records every event of every service; the tamper-evident log lands with its issue. */
@Module({})
export class AuditModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: AuditModule,
      imports: [PlatformModule.forService({ service: 'audit', runtime, entities: [AuditRecord], migrations: [InitialAuditSchema1732400000000] }), RecordsModule],
    };
  }
}
