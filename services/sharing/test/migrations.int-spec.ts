import { migrateServiceSchema } from '@gov/shared';
import { DataSource } from 'typeorm';
import { createTestDatabase, TestDatabase } from '../../../test/test-database';
import { SHARING_MIGRATIONS } from '../src/sharing.module';

/** Sharing's migrations apply, revert (dropping loaded dataset tables too) and re-apply, in its own schema only. */
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('sharing_migrations');
});
afterAll(async () => {
  await db.drop();
});

it('up, down, up again', async () => {
  const ds = new DataSource({ type: 'postgres', url: db.url, schema: 'sharing', migrations: SHARING_MIGRATIONS, migrationsTableName: 'migrations', synchronize: false });
  await ds.initialize();
  const tables = async () => (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema='sharing' ORDER BY 1`)).map((r: { table_name: string }) => r.table_name);
  try {
    expect(await migrateServiceSchema(ds, 'sharing')).toHaveLength(SHARING_MIGRATIONS.length);
    expect(await tables()).toEqual(expect.arrayContaining(['share_request', 'grant_', 'refusal_ground', 'feedback', 'notification']));
    // A loaded dataset table goes with the schema on revert.
    await ds.query(`CREATE TABLE sharing.ds_test_1 (_row bigint)`);
    await ds.query(`INSERT INTO sharing.dataset (dataset_id, entry_id, dept_id, version, table_name, columns, row_count) VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 1, 'ds_test_1', '[]', 0)`);
    for (let i = 0; i < SHARING_MIGRATIONS.length; i++) await ds.undoLastMigration();
    expect(await tables()).toEqual(['migrations']);
    expect(await migrateServiceSchema(ds, 'sharing')).toHaveLength(SHARING_MIGRATIONS.length);
  } finally {
    await ds.destroy();
  }
});
