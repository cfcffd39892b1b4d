import { API_KEY_RESOLVER, KEY_VALUE_STORE, KeyValueStore } from '@gov/shared';
import { Global, Module } from '@nestjs/common';
import { openSettingsProvider } from '../open-api.settings';
import { AccessLog } from './access-log';
import { ApiKeyResolverService } from './api-key.resolver';
import { BlacklistController, BlacklistService } from './blacklist.controller';
import { BlacklistCache } from './blacklist.service';
import { OpenGate } from './open-gate';
import { RateLimiter } from './rate-limiter';

/**
 * Global so the platform's auth guard (in PlatformModule) can inject the API key resolver, and
 * every feature can reach the gate and the access log.
 */
@Global()
@Module({
  controllers: [BlacklistController],
  providers: [
    openSettingsProvider,
    AccessLog,
    ApiKeyResolverService,
    { provide: API_KEY_RESOLVER, useExisting: ApiKeyResolverService },
    BlacklistCache,
    BlacklistService,
    { provide: RateLimiter, inject: [KEY_VALUE_STORE], useFactory: (kv: KeyValueStore) => new RateLimiter(kv) },
    OpenGate,
  ],
  exports: [openSettingsProvider.provide, AccessLog, ApiKeyResolverService, API_KEY_RESOLVER, BlacklistCache, OpenGate, RateLimiter],
})
export class OpenAccessModule {}
