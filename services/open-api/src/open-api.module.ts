import { PlatformModule, ServiceRuntime } from '@gov/shared';
import { DynamicModule, Module } from '@nestjs/common';
import { InitialOpenapiSchema1732400000000 } from './migrations/1732400000000-initial-openapi-schema';
import { Publisher } from './publishers/publisher.entity';
import { PublishersModule } from './publishers/publishers.module';

/** 开放服务: publishers now; the public catalog, downloads and keys land with their issue. */
@Module({})
export class OpenApiModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: OpenApiModule,
      imports: [PlatformModule.forService({ service: 'open-api', runtime, entities: [Publisher], migrations: [InitialOpenapiSchema1732400000000] }), PublishersModule],
    };
  }
}
