// Public API of @gov/shared: contracts, pure domain rules and the platform plumbing services share.

// configuration
export * from './config/load-config';
export * from './config/service-env';
// errors
export * from './errors/problem';
export * from './errors/problem-details.filter';
export * from './errors/validation';
// request context
export * from './http/request-context';
// authentication and scoping
export * from './auth/principal';
export * from './auth/secrets';
export * from './auth/token.service';
export * from './auth/decorators';
export * from './auth/auth.guard';
// events
export * from './events/contracts/services';
export * from './events/contracts/event-catalog';
export * from './events/contracts/org.events';
export * from './events/contracts/catalog.events';
export * from './events/contracts/ingest.events';
export * from './events/contracts/access.events';
export * from './events/contracts/open.events';
export * from './events/contracts/sharing.events';
export * from './events/contracts/security.events';
export * from './events/envelope';
export * from './events/transport';
export * from './events/transports/in-process.transport';
export * from './events/transports/redis-streams.transport';
export * from './events/transports/kafka.transport';
export * from './events/messaging-tables';
export * from './events/outbox';
export * from './events/event-consumer';
export * from './events/event-server';
export * from './events/dead-letters';
// infrastructure ports
export * from './storage/object-storage';
export * from './storage/filesystem.storage';
export * from './storage/minio.storage';
export * from './kv/key-value-store';
export * from './observability/logger';
export * from './observability/service-scope';
export * from './http/paging';
export * from './http/fast-routes';
export * from './observability/metrics';
export * from './db/data-source';
export * from './db/pg-pool';
// service runtime
export * from './platform/service-runtime';
export * from './platform/platform.module';
export * from './platform/bootstrap';
export * from './platform/distributed';
// directory metadata standard and working-day calendar (pure code)
export * from './standard/index';
export * from './search/index';
export * from './calendar/index';
// safe .xlsx upload reading (catalog 目录确认表 import, ingest parser)
export * from './xlsx/index';
// dataset snapshots: how a version's rows travel from ingest to sharing and open-api
export * from './datasets/snapshot';
// record queries (documented syntax → parameterised SQL) and streaming CSV/XLSX/JSON writers
export * from './records/index';
// tamper-evident audit log: Merkle tree, signed tree heads, proofs, verifier (pure code)
export * from './audit-log/index';
// sensitive-content discovery (数据安全: 敏感字段发现)
export * from './security/index';
