import 'reflect-metadata';
import { runMigrationsOnly } from '@gov/shared';
import { IngestModule } from './ingest.module';

void runMigrationsOnly('ingest', (rt) => IngestModule.register(rt));
