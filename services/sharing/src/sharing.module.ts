import { PlatformModule, ServiceRuntime } from '@gov/shared';
import { DynamicModule, Module } from '@nestjs/common';
import { DepartmentDirectoryEntry } from './directory/department-directory.entity';
import { DirectoryModule } from './directory/directory.module';
import { InitialSharingSchema1732400000000 } from './migrations/1732400000000-initial-sharing-schema';

/** 共享服务: the department directory now; requests and grants land with their issue. */
@Module({})
export class SharingModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: SharingModule,
      imports: [
        PlatformModule.forService({ service: 'sharing', runtime, entities: [DepartmentDirectoryEntry], migrations: [InitialSharingSchema1732400000000] }),
        DirectoryModule,
      ],
    };
  }
}
