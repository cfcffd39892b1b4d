// Entry for the embedded process, which mounts this service next to the others.
export { CatalogModule } from './catalog.module';
export { DemoCitySeeder, DEMO_PASSWORD } from './demo/demo-city.seeder';
