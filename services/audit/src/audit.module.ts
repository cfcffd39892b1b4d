import { PlatformModule, ServiceRuntime } from '@gov/shared';
import { DynamicModule, Module } from '@nestjs/common';
import { AlertsModule } from './alerts/alerts.module';
import { LogModule } from './log/log.module';
import { InitialAuditSchema1732400000000 } from './migrations/1732400000000-initial-audit-schema';
import { TamperEvidentLog1732500000000 } from './migrations/1732500000000-tamper-evident-log';
import { AlertCursor1732600000000 } from './migrations/1732600000000-alert-cursor';
import { LeanSearchIndexes1732700000000 } from './migrations/1732700000000-lean-search-indexes';
import { ArchiveBlocks1732800000000 } from './migrations/1732800000000-archive-blocks';
import { SearchProjection1732900000000 } from './migrations/1732900000000-search-projection';
import { EventIdByTime1733000000000 } from './migrations/1733000000000-event-id-by-time';
import { RecordsModule } from './records/records.module';
import { ReportsModule } from './reports/reports.module';
import { RetentionModule } from './retention/retention.module';
import { TracesModule } from './traces/traces.module';

/**
 * 审计服务: every event of every service in a tamper-evident log (Merkle tree, signed heads),
 * traces, alerts, assessment reports and retention.
 */
@Module({})
export class AuditModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: AuditModule,
      imports: [
        PlatformModule.forService({ service: 'audit', runtime, entities: [], migrations: [InitialAuditSchema1732400000000, TamperEvidentLog1732500000000, AlertCursor1732600000000, LeanSearchIndexes1732700000000, ArchiveBlocks1732800000000, SearchProjection1732900000000, EventIdByTime1733000000000] }),
        LogModule,
        RecordsModule,
        TracesModule,
        AlertsModule,
        ReportsModule,
        RetentionModule,
      ],
    };
  }
}
