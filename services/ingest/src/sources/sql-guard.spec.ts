import { SourceError } from '../pipeline/contracts';
import { buildPullStatement } from './db-pull.source';
import { guardSelectQuery, quoteIdentifier, quoteQualifiedName, SqlDialect } from './sql-guard';

function refused(sql: string, dialect: SqlDialect = 'postgres'): string {
  try {
    guardSelectQuery(sql, dialect);
  } catch (err) {
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('DB_QUERY_NOT_ALLOWED');
    return (err as SourceError).en;
  }
  throw new Error(`accepted: ${sql}`);
}

describe('guardSelectQuery', () => {
  it.each<[string, SqlDialect]>([
    ['SELECT * FROM t', 'postgres'],
    ['select id, name from public.t where name = \'a;b\' order by id', 'postgres'],
    ['WITH x AS (SELECT 1 AS a) SELECT a FROM x', 'postgres'],
    ['(SELECT 1) UNION (SELECT 2)', 'postgres'],
    ['SELECT "update", "delete" FROM "insert"', 'postgres'],
    ['SELECT t.update, t.comment FROM t', 'postgres'],
    ['SELECT replace(name, \'a\', \'b\') FROM t', 'mysql'],
    ['SELECT `select`, "it\'\'s; fine" FROM `t` -- trailing comment', 'mysql'],
    ['SELECT 1 # mysql comment; DROP TABLE x', 'mysql'],
    ['SELECT 1 /* ; drop table t */', 'postgres'],
    ['SELECT 统一社会信用代码, 名称 FROM 法人库', 'postgres'],
    ["SELECT 'it''s' FROM t", 'postgres'],
  ])('accepts %s (%s)', (sql, dialect) => {
    expect(() => guardSelectQuery(sql, dialect)).not.toThrow();
  });

  it('drops one trailing semicolon and the whitespace around', () => {
    expect(guardSelectQuery('  SELECT 1 ;  \n', 'postgres')).toBe('SELECT 1');
    expect(guardSelectQuery('SELECT 1; -- done', 'postgres')).toBe('SELECT 1');
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['DELETE FROM t', 'start with SELECT'],
    ['UPDATE t SET a = 1', 'start with SELECT'],
    ['TABLE t', 'start with SELECT'],
    ['VALUES (1)', 'start with SELECT'],
    ['SELECT 1; DROP TABLE t', 'more than one statement'],
    ['SELECT 1;;', 'more than one statement'],
    ['SELECT 1; SELECT 2;', 'more than one statement'],
    ['WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d', 'DELETE'],
    ['WITH d AS (INSERT INTO t VALUES (1) RETURNING *) SELECT * FROM d', 'INSERT'],
    ['SELECT * INTO new_table FROM t', 'INTO'],
    ['SELECT * FROM t FOR UPDATE', 'UPDATE'],
    ['select * from t for update skip locked', 'UPDATE'],
    ["SELECT pg_read_file('/etc/passwd')", 'pg_read_file'],
    ["SELECT * FROM dblink('host=x', 'select 1') AS t(a int)", 'dblink'],
    ["SELECT set_config('default_transaction_read_only', 'off', false)", 'set_config'],
    ['SELECT $$a$$', 'dollar'],
    ['SELECT $1', 'dollar'],
    ["SELECT 'unterminated", 'unterminated'],
    ['SELECT "unterminated', 'unterminated'],
    ['SELECT 1 /* unterminated', 'unterminated'],
    ["SELECT E'\\''; DROP TABLE t; --'", 'backslash'],
  ])('refuses %j (%s)', (sql, why) => {
    expect(refused(sql)).toContain(why);
  });

  it.each([
    ['SELECT 1 /*! ; DROP TABLE t */', 'executable comments'],
    ['SELECT 1 /*!50000 INTO OUTFILE "/tmp/x" */', 'executable comments'],
    ['SELECT /*+ MAX_EXECUTION_TIME(1) */ 1', 'executable comments'],
    ["SELECT 'a\\'; DROP TABLE t; -- '", 'backslash'],
    ['SELECT * FROM t INTO OUTFILE "/tmp/x"', 'INTO'],
    ['SELECT * FROM t LOCK IN SHARE MODE', 'LOCK'],
    ["SELECT LOAD_FILE('/etc/passwd')", 'load_file'],
    ['REPLACE INTO t VALUES (1)', 'start with SELECT'],
    ['SELECT 1 --x INTO OUTFILE "/tmp/x"', 'INTO'],
  ])('refuses %j for MySQL (%s)', (sql, why) => {
    expect(refused(sql, 'mysql')).toContain(why);
  });

  it('treats -- without a space as an operator in MySQL but as a comment in PostgreSQL', () => {
    expect(() => guardSelectQuery('SELECT 1 --x INTO t', 'postgres')).not.toThrow();
    expect(refused('SELECT 1 --x INTO t', 'mysql')).toContain('INTO');
  });
});

describe('identifier quoting', () => {
  it('quotes names so that none injects', () => {
    expect(quoteIdentifier('a"b', 'postgres')).toBe('"a""b"');
    expect(quoteIdentifier('a`b', 'mysql')).toBe('`a``b`');
    expect(quoteQualifiedName('public.企业 名录', 'postgres')).toBe('"public"."企业 名录"');
    expect(quoteQualifiedName('t; DROP TABLE x', 'postgres')).toBe('"t; DROP TABLE x"');
    expect(quoteQualifiedName('db.t', 'mysql')).toBe('`db`.`t`');
  });

  it('refuses empty, padded, multi-line and over-qualified names', () => {
    for (const bad of ['', ' a', 'a\nb', 'a\0', 'x'.repeat(129)]) expect(() => quoteIdentifier(bad, 'postgres')).toThrow(SourceError);
    expect(() => quoteQualifiedName('a.b.c', 'postgres')).toThrow(SourceError);
    expect(() => quoteQualifiedName('a..b', 'postgres')).toThrow(SourceError);
  });
});

describe('buildPullStatement', () => {
  it('full pull of a table', () => {
    expect(buildPullStatement({ kind: 'postgres', table: 'public.t' })).toEqual({ sql: 'SELECT * FROM "public"."t"', params: [] });
  });

  it('incremental pull of a table, first and later runs', () => {
    expect(buildPullStatement({ kind: 'postgres', table: 't', incremental: { column: 'updated_at' } }).sql).toBe('SELECT * FROM "t" ORDER BY "updated_at"');
    expect(buildPullStatement({ kind: 'postgres', table: 't', incremental: { column: 'updated_at', lastValue: '2025-01-01T00:00:00Z' } })).toEqual({
      sql: 'SELECT * FROM "t" WHERE "updated_at" > $1 ORDER BY "updated_at"',
      params: ['2025-01-01T00:00:00Z'],
    });
    expect(buildPullStatement({ kind: 'mysql', table: 't', incremental: { column: 'id', lastValue: '42' } })).toEqual({
      sql: 'SELECT * FROM `t` WHERE `id` > ? ORDER BY `id`',
      params: [42],
    });
    expect(buildPullStatement({ kind: 'mysql', table: 't', incremental: { column: 'ts', lastValue: '2025-01-01T08:00:00.5' } }).params).toEqual([
      '2025-01-01 08:00:00.5',
    ]);
  });

  it('wraps a query so that a trailing comment cannot swallow the parenthesis', () => {
    const { sql } = buildPullStatement({ kind: 'postgres', query: 'SELECT * FROM t -- all\nWHERE a > 0 -- of it\n;', incremental: { column: 'id', lastValue: '1' } });
    expect(sql).toBe('SELECT * FROM (\nSELECT * FROM t -- all\nWHERE a > 0\n) AS govdata_src WHERE "id" > $1 ORDER BY "id"');
  });

  it('needs exactly one of table and query, and guards the query', () => {
    expect(() => buildPullStatement({ kind: 'postgres' })).toThrow(SourceError);
    expect(() => buildPullStatement({ kind: 'postgres', table: 't', query: 'SELECT 1' })).toThrow(SourceError);
    expect(() => buildPullStatement({ kind: 'postgres', query: 'DELETE FROM t' })).toThrow(/single SELECT/);
  });
});
