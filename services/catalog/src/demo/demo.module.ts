import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { OrganizationModule } from '../organization/organization.module';
import { DemoCitySeeder } from './demo-city.seeder';

@Module({ imports: [OrganizationModule, IdentityModule], providers: [DemoCitySeeder], exports: [DemoCitySeeder] })
export class DemoModule {}
