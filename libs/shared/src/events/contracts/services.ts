/** The five services; also their consumer-group ids and PostgreSQL schema names. */
export const SERVICES = {
  catalog: { schema: 'catalog', routePrefix: 'catalog' },
  ingest: { schema: 'ingest', routePrefix: 'ingest' },
  sharing: { schema: 'sharing', routePrefix: 'sharing' },
  'open-api': { schema: 'openapi', routePrefix: 'open' },
  audit: { schema: 'audit', routePrefix: 'audit' },
} as const;

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];
