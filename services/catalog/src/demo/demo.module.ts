import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { OrganizationModule } from '../organization/organization.module';
import { ResourceCatalogModule } from '../resource-catalog.module';
import { DemoCitySeeder } from './demo-city.seeder';

@Module({ imports: [OrganizationModule, IdentityModule, ResourceCatalogModule], providers: [DemoCitySeeder], exports: [DemoCitySeeder] })
export class DemoModule {}
