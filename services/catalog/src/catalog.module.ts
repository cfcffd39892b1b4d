import { PlatformModule, ServiceRuntime } from '@gov/shared';
import { DynamicModule, Module } from '@nestjs/common';
import { DemoModule } from './demo/demo.module';
import { IdentityModule } from './identity/identity.module';
import { StaffUser } from './identity/staff-user.entity';
import { InitialCatalogSchema1732400000000 } from './migrations/1732400000000-initial-catalog-schema';
import { Department } from './organization/department.entity';
import { OrganizationModule } from './organization/organization.module';
import { CatalogEntry, EntryVersion } from './entries/catalog-entry.entity';
import { DataDomain, TopicItem } from './domains/domain.entities';
import { Deadline } from './deadlines/deadline.entity';
import { ResourceCatalog1732500000000 } from './migrations/1732500000000-resource-catalog';
import { SearchChangeIndex1732700000000 } from './migrations/1732700000000-search-change-index';
import { DataElementRecord, SourceConflict } from './one-source/one-source.entities';
import { ReferenceExemption, ReferenceItem } from './reference-list/reference-item.entities';
import { ResourceCatalogModule } from './resource-catalog.module';
import { InformationSystem } from './systems/information-system.entity';

export const CATALOG_ENTITIES = [
  Department,
  StaffUser,
  InformationSystem,
  DataDomain,
  TopicItem,
  CatalogEntry,
  EntryVersion,
  DataElementRecord,
  SourceConflict,
  ReferenceItem,
  ReferenceExemption,
  Deadline,
];
export const CATALOG_MIGRATIONS = [InitialCatalogSchema1732400000000, ResourceCatalog1732500000000, SearchChangeIndex1732700000000];

/** 目录服务: departments, staff identity and the resource catalog. */
@Module({})
export class CatalogModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: CatalogModule,
      imports: [
        PlatformModule.forService({ service: 'catalog', runtime, entities: CATALOG_ENTITIES, migrations: CATALOG_MIGRATIONS }),
        OrganizationModule,
        IdentityModule,
        ResourceCatalogModule,
        DemoModule,
      ],
    };
  }
}
