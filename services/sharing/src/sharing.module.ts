import { PlatformModule, ServiceRuntime } from '@gov/shared';
import { DynamicModule, Module } from '@nestjs/common';
import { AccessLog } from './access/access-log';
import { CatalogReadModel, CatalogReadModelController } from './catalog/catalog-read-model';
import { DatasetStore, DatasetStoreController } from './datasets/dataset-store';
import { DepartmentDirectoryEntry } from './directory/department-directory.entity';
import { DirectoryModule } from './directory/directory.module';
import { DeliveryController } from './delivery/delivery.controller';
import { DeliveryService } from './delivery/delivery.service';
import { RecordsService } from './delivery/records.service';
import { FeedbackController } from './feedback/feedback.controller';
import { FeedbackService } from './feedback/feedback.service';
import { NeedsController } from './needs/needs.controller';
import { NeedsService } from './needs/needs.service';
import { StatisticsController, StatisticsService } from './statistics/statistics.service';
import { GrantsController } from './grants/grants.controller';
import { GrantsService } from './grants/grants.service';
import { InitialSharingSchema1732400000000 } from './migrations/1732400000000-initial-sharing-schema';
import { Sharing1732800000000 } from './migrations/1732800000000-sharing';
import { FeedbackReminders1732800000001 } from './migrations/1732800000001-feedback-reminders';
import { SensitiveBlockedColumns1732800000002 } from './migrations/1732800000002-sensitive-blocked-columns';
import { ListPagingIndexes1733300000000 } from './migrations/1733300000000-list-paging-indexes';
import { DataSecurity1732900000000 } from './migrations/1732900000000-data-security';
import { OperatorsController } from './operation/operators.controller';
import { OperatorsService } from './operation/operators.service';
import { SandboxRoles } from './sandbox/sandbox-roles';
import { SandboxController } from './sandbox/sandbox.controller';
import { SandboxService } from './sandbox/sandbox.service';
import { AggregationGuard } from './security/aggregation-guard';
import { SecurityOfficerController } from './security/security-officer.controller';
import { SecurityOfficerService } from './security/security-officer.service';
import { securitySettingsProvider } from './security/security.settings';
import { NotificationsController } from './notifications/notifications.controller';
import { NotificationsService } from './notifications/notifications.service';
import { RequestsController } from './requests/requests.controller';
import { RequestsService } from './requests/requests.service';
import { ReturnsController } from './returns/returns.controller';
import { ReturnsService } from './returns/returns.service';
import { SharingWorker } from './worker/sharing-worker';
import { SharingClock, sharingSettingsProvider } from './sharing.settings';

export const SHARING_MIGRATIONS = [InitialSharingSchema1732400000000, Sharing1732800000000, FeedbackReminders1732800000001, SensitiveBlockedColumns1732800000002, DataSecurity1732900000000, ListPagingIndexes1733300000000];

/** 共享服务: requests, review with legal deadlines, scoped grants, delivery, feedback, 供需对接, 回流. */
@Module({})
export class SharingModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: SharingModule,
      imports: [PlatformModule.forService({ service: 'sharing', runtime, entities: [DepartmentDirectoryEntry], migrations: SHARING_MIGRATIONS }), DirectoryModule],
      controllers: [CatalogReadModelController, DatasetStoreController, RequestsController, GrantsController, DeliveryController, ReturnsController, NotificationsController, FeedbackController, NeedsController, StatisticsController, SandboxController, OperatorsController, SecurityOfficerController],
      providers: [sharingSettingsProvider, SharingClock, AccessLog, CatalogReadModel, DatasetStore, NotificationsService, GrantsService, RequestsService, RecordsService, DeliveryService, ReturnsService, SharingWorker, FeedbackService, NeedsService, StatisticsService, securitySettingsProvider, AggregationGuard, SandboxRoles, SandboxService, OperatorsService, SecurityOfficerService],
    };
  }
}
