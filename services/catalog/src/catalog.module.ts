import { PlatformModule, ServiceRuntime } from '@gov/shared';
import { DynamicModule, Module } from '@nestjs/common';
import { DemoModule } from './demo/demo.module';
import { IdentityModule } from './identity/identity.module';
import { StaffUser } from './identity/staff-user.entity';
import { InitialCatalogSchema1732400000000 } from './migrations/1732400000000-initial-catalog-schema';
import { Department } from './organization/department.entity';
import { OrganizationModule } from './organization/organization.module';

export const CATALOG_ENTITIES = [Department, StaffUser];
export const CATALOG_MIGRATIONS = [InitialCatalogSchema1732400000000];

/** 目录服务: departments and staff identity now; the resource catalog lands with its issue. */
@Module({})
export class CatalogModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: CatalogModule,
      imports: [
        PlatformModule.forService({ service: 'catalog', runtime, entities: CATALOG_ENTITIES, migrations: CATALOG_MIGRATIONS }),
        OrganizationModule,
        IdentityModule,
        DemoModule,
      ],
    };
  }
}
