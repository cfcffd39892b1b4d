// Upload parsing for the ingest pipeline: see README.md in this folder.
export * from './parsing.types';
export { ByteReader } from './byte-source';
export type { ByteInput } from './byte-source';
export { detectEncoding, normalizeEncoding } from './encoding';
export type { DetectedEncoding } from './encoding';
export { parseCsv, sniffDelimiter } from './csv.parser';
export { parseJson, parseNdjson } from './json.parser';
export { parseXlsx, excelSerialToIso, numberText } from './xlsx.parser';
export { openTable, sniffFormat } from './open-table';
