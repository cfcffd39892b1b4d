import 'reflect-metadata';
import { runMigrationsOnly } from '@gov/shared';
import { CatalogModule } from './catalog.module';

void runMigrationsOnly('catalog', (rt) => CatalogModule.register(rt));
