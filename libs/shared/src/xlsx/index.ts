// Safe reading of uploaded .xlsx files (zip checks, bounded inflation, SAX row streaming), shared
// by the catalog's 目录确认表 import and the ingest parser.
export * from './xlsx.errors';
export * from './xlsx-package.reader';
export * from './xlsx-sheet.reader';
