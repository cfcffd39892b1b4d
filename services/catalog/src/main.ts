import 'reflect-metadata';
import { runService } from '@gov/shared';
import { CatalogModule } from './catalog.module';

// The catalog service also serves the combined API docs at /api/docs in distributed mode.
void runService('catalog', (rt) => CatalogModule.register(rt), { combinedDocs: true });
