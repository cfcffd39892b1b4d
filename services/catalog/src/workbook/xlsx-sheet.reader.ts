// Moved to @gov/shared (libs/shared/src/xlsx/xlsx-sheet.reader.ts), shared with the ingest parser.
export { columnIndexOf, excelSerialToIsoDate, isDateFormatCode, parseXml, readDateStyles, readSharedStrings, readSheetRows, readWorkbookStructure } from '@gov/shared';
export type { CellValue, SheetCell, SheetContext, SheetRef, SheetRow, WorkbookStructure } from '@gov/shared';
