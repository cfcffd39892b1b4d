import { migrateServiceSchema, SERVICES, ServiceName } from '@gov/shared';
import { DataSource } from 'typeorm';
import { InitialAuditSchema1732400000000 } from '../../services/audit/src/migrations/1732400000000-initial-audit-schema';
import { InitialCatalogSchema1732400000000 } from '../../services/catalog/src/migrations/1732400000000-initial-catalog-schema';
import { ResourceCatalog1732500000000 } from '../../services/catalog/src/migrations/1732500000000-resource-catalog';
import { SearchChangeIndex1732700000000 } from '../../services/catalog/src/migrations/1732700000000-search-change-index';
import { InitialIngestSchema1732400000000 } from '../../services/ingest/src/migrations/1732400000000-initial-ingest-schema';
import { Datasets1732600000000 } from '../../services/ingest/src/migrations/1732600000000-datasets';
import { InitialOpenapiSchema1732400000000 } from '../../services/open-api/src/migrations/1732400000000-initial-openapi-schema';
import { InitialSharingSchema1732400000000 } from '../../services/sharing/src/migrations/1732400000000-initial-sharing-schema';
import { createTestDatabase, TestDatabase } from '../test-database';

/** Committed migrations apply, revert and re-apply cleanly, each in its own service's schema. */
const MIGRATIONS: Record<ServiceName, Function[]> = {
  catalog: [InitialCatalogSchema1732400000000, ResourceCatalog1732500000000, SearchChangeIndex1732700000000],
  ingest: [InitialIngestSchema1732400000000, Datasets1732600000000],
  sharing: [InitialSharingSchema1732400000000],
  'open-api': [InitialOpenapiSchema1732400000000],
  audit: [InitialAuditSchema1732400000000],
};

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('migrations');
});
afterAll(async () => {
  await db.drop();
});

const tablesIn = async (ds: DataSource, schema: string) =>
  (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema])).map((r: { table_name: string }) => r.table_name);

it.each(Object.keys(MIGRATIONS) as ServiceName[])('%s: up, down, up again, touching only its own schema', async (service) => {
  const schema = SERVICES[service].schema;
  const ds = new DataSource({ type: 'postgres', url: db.url, schema, migrations: MIGRATIONS[service], migrationsTableName: 'migrations', synchronize: false });
  await ds.initialize();
  try {
    const others = async () => (await ds.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ($1, 'pg_catalog', 'information_schema')`, [schema])).length;
    const before = await others();
    expect(await migrateServiceSchema(ds, schema)).toHaveLength(MIGRATIONS[service].length);
    expect(await tablesIn(ds, schema)).toEqual(expect.arrayContaining(['dead_letter', 'inbox', 'migrations', 'outbox']));
    expect(await migrateServiceSchema(ds, schema)).toHaveLength(0);
    for (let i = 0; i < MIGRATIONS[service].length; i++) await ds.undoLastMigration();
    expect(await tablesIn(ds, schema)).toEqual(['migrations']);
    expect(await migrateServiceSchema(ds, schema)).toHaveLength(MIGRATIONS[service].length);
    expect(await others()).toBe(before);
  } finally {
    await ds.destroy();
  }
});
