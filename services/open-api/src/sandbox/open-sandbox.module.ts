import { sandboxSettingsFrom, SERVICE_RUNTIME, ServiceRuntime } from '@gov/shared';
import { Module } from '@nestjs/common';
import { DeveloperAuth } from '../developers/developer-auth';
import { OpenSandbox1733100000000 } from '../migrations/1733100000000-open-sandbox';
import { OpenSandboxController, OpenSandboxOversightController } from './open-sandbox.controller';
import { OpenSandboxRoles } from './open-sandbox-roles';
import { OPEN_SANDBOX_SETTINGS, OpenSandboxClock, OpenSandboxService } from './open-sandbox.service';

/** The developer sandbox's migrations, registered with the service's own (one list per service). */
export const OPEN_SANDBOX_MIGRATIONS = [OpenSandbox1733100000000];

/** 有条件开放 · 数据沙箱: developers compute over conditionally open data without receiving rows. */
@Module({
  controllers: [OpenSandboxController, OpenSandboxOversightController],
  providers: [
    { provide: OPEN_SANDBOX_SETTINGS, inject: [SERVICE_RUNTIME], useFactory: (runtime: ServiceRuntime) => sandboxSettingsFrom(runtime.settings.extra) },
    OpenSandboxClock,
    OpenSandboxRoles,
    OpenSandboxService,
    DeveloperAuth,
  ],
})
export class OpenSandboxModule {}
