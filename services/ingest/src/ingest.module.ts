import { PlatformModule, ServiceRuntime } from '@gov/shared';
import { DynamicModule, Module } from '@nestjs/common';
import { InitialIngestSchema1732400000000 } from './migrations/1732400000000-initial-ingest-schema';

/** 归集服务: platform plumbing only until the ingest issue adds datasets and loading. */
@Module({})
export class IngestModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: IngestModule,
      imports: [PlatformModule.forService({ service: 'ingest', runtime, entities: [], migrations: [InitialIngestSchema1732400000000] })],
    };
  }
}
