/**
 * Why an uploaded workbook is refused as a whole (nothing is read from it). Shared by the catalog's
 * 目录确认表 import and the ingest parser, which both read uploads with the reader in this folder.
 */

/** Why a whole file is refused. Stable: the UI and the API clients switch on these. */
export type WorkbookRejectionCode =
  /** Not a zip-based .xlsx at all: CSV, PDF, a legacy .xls (OLE) file, .xlsb, a damaged zip. */
  | 'NOT_A_WORKBOOK'
  /** A password-protected workbook (an OLE container holding an EncryptedPackage). */
  | 'WORKBOOK_ENCRYPTED'
  /** vbaProject.bin, Excel 4.0 macro sheets or a macro-enabled content type. */
  | 'MACRO_NOT_ALLOWED'
  /** Declared or actual inflated size beyond the limit, or an implausible compression ratio. */
  | 'ZIP_BOMB'
  /** The 目录 sheet is missing, or a header row is not the template's. */
  | 'TEMPLATE_MISMATCH'
  /** More data rows than the import accepts. */
  | 'TOO_MANY_ROWS';

export class WorkbookRejectedError extends Error {
  constructor(
    readonly code: WorkbookRejectionCode,
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
    this.name = 'WorkbookRejectedError';
  }
}

