// Sources of the ingest pipeline besides uploads: interface pull, logical access, database pull.
export * from './credential-cipher';
export * from './host-policy';
export * from './http-page';
export * from './http-pull.source';
export * from './logical-access.proxy';
export * from './db-pull.source';
export * from './sql-guard';
export * from './pull-schedule';
export * from './redact';
export * from './source-errors';
export { readCsvLite } from './csv-lite';
export type { CsvLiteOptions, CsvEncoding } from './csv-lite';
