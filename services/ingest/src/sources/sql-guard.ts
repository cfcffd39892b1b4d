import { SourceErrors } from './source-errors';

/**
 * The query a database source may run: one SELECT (or WITH … SELECT), nothing else. This is a
 * conservative lexical check, not a parser: when in doubt it refuses. It is one layer of three —
 * the statement also runs in a READ ONLY transaction over the extended protocol (PostgreSQL) or
 * without multiple statements (MySQL), and the department should grant a SELECT-only account.
 *
 * Refused:
 *   - anything but SELECT/WITH (optionally parenthesised) at the start;
 *   - a semicolon anywhere but at the end (one trailing `;` is dropped);
 *   - the words INSERT UPDATE DELETE MERGE … INTO … outside quotes (list below), including a
 *     data-modifying CTE, SELECT … INTO and SELECT … FOR UPDATE;
 *   - functions that read the server's files or act on other sessions (pg_read_file, lo_export,
 *     dblink, LOAD_FILE …);
 *   - MySQL executable comments (`/*! … *\/`), PostgreSQL dollar quoting and `$n` parameters,
 *     a backslash before a quote inside a string (its meaning depends on server settings),
 *     unterminated strings, identifiers and comments.
 */

export type SqlDialect = 'postgres' | 'mysql';

/**
 * Words that change data or take locks inside one statement (data-modifying CTE, SELECT INTO,
 * FOR UPDATE, LOCK IN SHARE MODE) or start a statement of another kind. Statement-level commands
 * that cannot appear inside a single SELECT (BEGIN, VACUUM …) are not listed: a column may bear
 * such a name, and the first-word rule already refuses them.
 */
const FORBIDDEN_WORDS = new Set([
  'insert', 'update', 'delete', 'merge', 'upsert', 'replace', 'into', 'outfile', 'dumpfile', 'lock', 'unlock',
  'drop', 'alter', 'create', 'truncate', 'grant', 'revoke', 'copy', 'execute', 'prepare', 'deallocate',
]);

const FORBIDDEN_FUNCTIONS = new Set([
  'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file', 'lo_import', 'lo_export', 'lo_from_bytea', 'lo_put',
  'dblink', 'dblink_exec', 'dblink_connect', 'pg_terminate_backend', 'pg_cancel_backend', 'set_config', 'pg_reload_conf',
  'pg_rotate_logfile', 'pg_promote', 'pg_advisory_lock', 'pg_advisory_xact_lock', 'query_to_xml', 'pg_logical_emit_message',
  'load_file', 'sys_exec', 'sys_eval', 'get_lock', 'release_lock', 'master_pos_wait', 'source_pos_wait',
]);

/**
 * Returns the query without its trailing semicolon and whitespace, or throws DB_QUERY_NOT_ALLOWED.
 * `replace` is refused as a word (REPLACE INTO) but `replace(` as the string function is allowed.
 */
export function guardSelectQuery(sql: string, dialect: SqlDialect): string {
  if (typeof sql !== 'string' || !sql.trim()) throw SourceErrors.dbQueryNotAllowed('empty query');
  if (sql.length > 100_000) throw SourceErrors.dbQueryNotAllowed('query longer than 100,000 characters');
  if (sql.includes('\0')) throw SourceErrors.dbQueryNotAllowed('NUL character');
  const tokens = tokenize(sql, dialect);
  // one trailing semicolon (only whitespace and comments after it)
  let end = tokens.length;
  if (end > 0 && tokens[end - 1].kind === 'punct' && tokens[end - 1].text === ';') end--;
  const body = tokens.slice(0, end);
  if (body.some((t) => t.kind === 'punct' && t.text === ';')) throw SourceErrors.dbQueryNotAllowed('more than one statement (semicolon)');
  const first = body.find((t) => !(t.kind === 'punct' && t.text === '('));
  if (!first || first.kind !== 'word' || !['select', 'with'].includes(first.text.toLowerCase()))
    throw SourceErrors.dbQueryNotAllowed('it must start with SELECT or WITH');
  for (let i = 0; i < body.length; i++) {
    const t = body[i];
    if (t.kind !== 'word') continue;
    const w = t.text.toLowerCase();
    const next = body[i + 1];
    const isCall = next?.kind === 'punct' && next.text === '(';
    if (FORBIDDEN_FUNCTIONS.has(w) && isCall) throw SourceErrors.dbQueryNotAllowed(`function ${w} is not allowed`);
    if (w === 'replace' && isCall) continue;
    if (FORBIDDEN_WORDS.has(w)) {
      // a word right after a dot is a qualified column name (t.update), not a keyword
      const prev = body[i - 1];
      if (prev?.kind === 'punct' && prev.text === '.') continue;
      throw SourceErrors.dbQueryNotAllowed(`${w.toUpperCase()} is not allowed`);
    }
  }
  const lastBody = body[body.length - 1];
  return sql.slice(0, lastBody.end).trim();
}

interface Token {
  kind: 'word' | 'punct' | 'string' | 'ident' | 'number';
  text: string;
  end: number;
}

function tokenize(sql: string, dialect: SqlDialect): Token[] {
  const out: Token[] = [];
  const n = sql.length;
  let i = 0;
  const refuse = (why: string): never => {
    throw SourceErrors.dbQueryNotAllowed(why);
  };
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    // line comments: -- (MySQL: only when followed by a space or control character), # in MySQL
    if (c === '-' && next === '-' && (dialect === 'postgres' || i + 2 >= n || /[\s\x00-\x1f]/.test(sql[i + 2]))) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === '#' && dialect === 'mysql') {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      // Not nested (PostgreSQL nests them, which only makes its comment longer than ours).
      if (dialect === 'mysql' && /^\/\*(!|M!|\+)/.test(sql.slice(i, i + 4)))
        refuse('MySQL executable comments and optimizer hints are not accepted');
      const close = sql.indexOf('*/', i + 2);
      if (close < 0) refuse('unterminated comment');
      i = close + 2;
      continue;
    }
    if (c === "'" || (c === '"' && dialect === 'mysql')) {
      i = skipQuoted(sql, i, c, true, refuse);
      out.push({ kind: 'string', text: '', end: i });
      continue;
    }
    if (c === '"' || (c === '`' && dialect === 'mysql')) {
      i = skipQuoted(sql, i, c, false, refuse);
      out.push({ kind: 'ident', text: '', end: i });
      continue;
    }
    if (c === '$' && dialect === 'postgres') refuse('dollar quoting and $n parameters are not accepted');
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j])) j++;
      out.push({ kind: 'word', text: sql.slice(i, j), end: j });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(sql[j])) j++;
      out.push({ kind: 'number', text: sql.slice(i, j), end: j });
      i = j;
      continue;
    }
    if (c === '\\') refuse('backslash outside a string');
    out.push({ kind: 'punct', text: c, end: i + 1 });
    i++;
  }
  return out;
}

/** Index after the closing quote; doubled quotes stay inside. */
function skipQuoted(sql: string, start: number, quote: string, isString: boolean, refuse: (why: string) => never): number {
  let i = start + 1;
  for (;;) {
    const q = sql.indexOf(quote, i);
    if (q < 0) refuse(isString ? 'unterminated string' : 'unterminated quoted identifier');
    if (isString && sql[q - 1] === '\\') refuse('backslash before a quote in a string');
    if (sql[q + 1] === quote) {
      i = q + 2;
      continue;
    }
    return q + 1;
  }
}

/** Quotes a table or column name for the dialect; `schema.table` is split on its dot. */
export function quoteQualifiedName(name: string, dialect: SqlDialect): string {
  if (typeof name !== 'string' || !name) throw SourceErrors.badConfig('table', 'required');
  const parts = name.split('.');
  if (parts.length > 2) throw SourceErrors.badConfig('table', 'at most schema.table');
  return parts.map((p) => quoteIdentifier(p, dialect)).join('.');
}

export function quoteIdentifier(name: string, dialect: SqlDialect): string {
  if (typeof name !== 'string' || !name || name.length > 128 || /[\0\r\n]/.test(name) || name !== name.trim())
    throw SourceErrors.badConfig('identifier', `not a usable name: ${JSON.stringify(String(name).slice(0, 140))}`);
  return dialect === 'mysql' ? `\`${name.replace(/`/g, '``')}\`` : `"${name.replace(/"/g, '""')}"`;
}
