// The part of pg-cursor (https://github.com/brianc/node-postgres/tree/master/packages/pg-cursor)
// that db-pull.source.ts uses; the package ships no types.
declare module 'pg-cursor' {
  import { FieldDef, Submittable } from 'pg';

  interface CursorResult {
    fields: FieldDef[];
  }

  interface CursorConfig {
    rowMode?: 'array';
    types?: { getTypeParser: (oid: number, format?: string) => (value: string) => unknown };
  }

  class Cursor<Row = unknown[]> implements Submittable {
    constructor(text: string, values?: unknown[], config?: CursorConfig);
    submit: Submittable['submit'];
    read(rowCount: number, callback: (err: Error | undefined, rows: Row[], result: CursorResult) => void): void;
    close(callback?: (err?: Error) => void): void;
    close(): Promise<void>;
  }

  export = Cursor;
}
