import { DataSource, DataSourceOptions, EntitySchema, MixedList } from 'typeorm';

export interface ServiceDatabaseOptions {
  url: string;
  schema: string;
  entities: MixedList<string | Function | EntitySchema>;
  migrations: MixedList<string | Function>;
  poolSize?: number;
}

/** TypeORM options for one service: its own schema and migrations table; never synchronize. */
export function serviceDataSourceOptions(o: ServiceDatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: o.url,
    schema: o.schema,
    entities: o.entities,
    migrations: o.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    extra: { max: o.poolSize ?? 10, application_name: `govdata-${o.schema}` },
  };
}

/** Runs a service's migrations under an advisory lock, creating its schema first. */
export async function migrateServiceSchema(ds: DataSource, schema: string): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`migrate:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const ran = await ds.runMigrations({ transaction: 'each' });
    return ran.map((m) => m.name);
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`migrate:${schema}`]).catch(() => undefined);
    await runner.release();
  }
}
