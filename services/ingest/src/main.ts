import 'reflect-metadata';
import { runService } from '@gov/shared';
import { IngestModule } from './ingest.module';

void runService('ingest', (rt) => IngestModule.register(rt));
