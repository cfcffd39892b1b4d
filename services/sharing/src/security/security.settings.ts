import { SandboxSettings, sandboxSettingsFrom, SERVICE_RUNTIME, ServiceRuntime } from '@gov/shared';
import { FactoryProvider } from '@nestjs/common';

/** Data-security policy (SECURITY_* settings, parsed in libs/shared, the same for open-api's developer sandbox). */
export type SecuritySettings = SandboxSettings;

export const SECURITY_SETTINGS = Symbol('SECURITY_SETTINGS');

export const securitySettingsFrom = sandboxSettingsFrom;

export const securitySettingsProvider: FactoryProvider = {
  provide: SECURITY_SETTINGS,
  inject: [SERVICE_RUNTIME],
  useFactory: (runtime: ServiceRuntime) => securitySettingsFrom(runtime.settings.extra),
};
