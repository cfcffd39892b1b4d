// Moved to @gov/shared (libs/shared/src/xlsx/xlsx-package.reader.ts), shared with the ingest parser.
export { DEFAULT_XLSX_LIMITS, macroNotAllowed, normalizePartName, notAWorkbook, stripBom, XlsxPackage } from '@gov/shared';
export type { XlsxLimits } from '@gov/shared';
