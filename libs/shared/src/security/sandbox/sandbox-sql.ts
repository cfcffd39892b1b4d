import { astMapper, Expr, ExprRef, From, parse, SelectedColumn, SelectFromStatement, Statement, toSql } from 'pgsql-ast-parser';

/**
 * 数据沙箱 SQL (可用不可见): the restricted dialect a department (sharing, under sandbox grants) or a
 * developer (open-api, under a sandbox conditional-opening application) may run over the datasets it
 * was granted. A single SELECT with aggregates, GROUP BY, HAVING, ORDER BY, LIMIT and joins between the
 * granted tables; every table, column and function is checked against a whitelist (anything the
 * checker does not know is refused: fail closed), table names are rewritten to the granted copies, and
 * hidden columns are added per output group: `count(*)` and the row fingerprints of the driving (first)
 * table, from which the caller checks group size (k) and differencing (`release-check.ts`).
 * Pure: no database, no service; each service runs the plan under its own read-only role.
 */

export interface SandboxTable {
  /** The name the query uses (lower case identifier). */
  alias: string;
  /** Schema and table of the granted copy (`sharing`, `ds_…`). */
  schema: string;
  table: string;
  /** Granted, loaded columns the query may use. */
  columns: string[];
  /** Columns that hold personal or sensitive data (catalog flags and ingest's findings): never output raw. */
  sensitive: string[];
  /**
   * Every column of the copy, granted or not: a source row is identified by a hash of these values,
   * not by `_row` (a line number that shifts when a new version inserts a row), so the differencing
   * check can compare groups across versions of the dataset (see `release-check.ts`).
   */
  allColumns: string[];
}

export interface SandboxPlan {
  /** The rewritten statement, hidden columns included, ready to run under the sandbox role. */
  sql: string;
  /** Output column names as released (hidden columns excluded). */
  columns: string[];
  /** Alias (in the query) of the table whose row fingerprints identify source rows (the first in FROM). */
  drivingAlias: string;
  /** The granted table name behind it. */
  drivingTable: string;
}

export const HIDDEN_COUNT = '__sandbox_n';
export const HIDDEN_ROWS = '__sandbox_rows';

/** Refusal of a sandbox query: a stable code and a reason in both languages. */
export class SandboxRefusal extends Error {
  constructor(
    readonly code: string,
    readonly zh: string,
    readonly en: string,
    /** Extra members of the problem+json answer (e.g. `minK`, `smallGroups`, `earlierJobId`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(en);
  }
}

const refuse = (code: string, zh: string, en: string): never => {
  throw new SandboxRefusal(code, zh, en);
};

const READ_ONLY = (what: string) => refuse('SANDBOX_READ_ONLY', `沙箱只允许只读查询（SELECT），不允许 ${what}`, `The sandbox runs read-only SELECT queries only; ${what} is not allowed`);

/** Aggregates a query may use; those that return one of their inputs as is are `VALUE_AGGREGATES`. */
const AGGREGATES = new Set(['count', 'sum', 'avg', 'min', 'max', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'bool_and', 'bool_or', 'every']);
const VALUE_AGGREGATES = new Set(['min', 'max']);
/** Pure scalar functions: no I/O, no catalog access, no sleeping, no side effects. */
const SCALARS = new Set([
  'round', 'floor', 'ceil', 'ceiling', 'abs', 'sign', 'mod', 'power', 'sqrt', 'ln', 'log', 'exp', 'width_bucket',
  'coalesce', 'nullif', 'greatest', 'least',
  'lower', 'upper', 'length', 'char_length', 'substr', 'substring', 'left', 'right', 'trim', 'btrim', 'ltrim', 'rtrim', 'split_part', 'replace', 'concat',
  'date_trunc', 'date_part', 'to_char', 'to_date', 'age',
]);
const CAST_TYPES = new Set(['text', 'varchar', 'character varying', 'char', 'int', 'int4', 'int8', 'integer', 'bigint', 'smallint', 'numeric', 'decimal', 'real', 'float', 'float8', 'double precision', 'date', 'timestamp', 'timestamptz', 'boolean', 'bool']);
const KEYWORDS = new Set(['current_date', 'current_timestamp', 'localtimestamp']);
/** Statement words that change data or state (for statements the parser does not even accept, e.g. COPY, SELECT … INTO). */
const WRITE_WORDS = /\b(insert|update|delete|merge|upsert|create|drop|alter|truncate|grant|revoke|copy|vacuum|analyze|cluster|reindex|call|do|lock|set|reset|listen|notify|prepare|execute|into|refresh|comment|security|import|load)\b/i;
const SAFE_NAME = /^[^"\u0000]{1,63}$/;
const MAX_SQL = 20_000;

interface Scope {
  tables: Map<string, SandboxTable>;
}

interface Resolved {
  alias: string;
  column: string;
}

function stripLiterals(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''").replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
}

function resolveRef(scope: Scope, ref: ExprRef, outputAliases?: Set<string>): Resolved | 'output' {
  if (ref.name === '*') return refuse('SANDBOX_ROW_LEVEL', '不允许输出明细（SELECT * 或 t.*）：沙箱只放行聚合结果', 'Row-level output (SELECT *) is not allowed: the sandbox releases aggregates only');
  if (!SAFE_NAME.test(ref.name)) return refuse('SANDBOX_COLUMN_FORBIDDEN', `信息项名称不合法：${ref.name.slice(0, 40)}`, `Invalid column name: ${ref.name.slice(0, 40)}`);
  if (ref.table) {
    if (ref.table.schema) return refuse('SANDBOX_TABLE_FORBIDDEN', `不允许引用其他模式：${ref.table.schema}`, `Other schemas may not be referenced: ${ref.table.schema}`);
    const t = scope.tables.get(ref.table.name);
    if (!t) return refuse('SANDBOX_TABLE_FORBIDDEN', `表不在本次授权范围内：${ref.table.name}`, `Table not covered by the grant: ${ref.table.name}`);
    if (!t.columns.includes(ref.name)) return refuse('SANDBOX_COLUMN_FORBIDDEN', `信息项不在授权范围内：${ref.table.name}.${ref.name}`, `Column not granted: ${ref.table.name}.${ref.name}`);
    return { alias: t.alias, column: ref.name };
  }
  const owners = [...scope.tables.values()].filter((t) => t.columns.includes(ref.name));
  if (owners.length === 1) return { alias: owners[0].alias, column: ref.name };
  if (owners.length > 1) return refuse('SANDBOX_COLUMN_AMBIGUOUS', `信息项 ${ref.name} 在多个表中，请写成 表.信息项`, `Column ${ref.name} is in several tables; qualify it as table.column`);
  if (outputAliases?.has(ref.name)) return 'output';
  return refuse('SANDBOX_COLUMN_FORBIDDEN', `信息项不在授权范围内：${ref.name}`, `Column not granted: ${ref.name}`);
}

interface Walk {
  refs: Resolved[];
  aggregates: { name: string; refs: Resolved[] }[];
}

/** Checks one expression against the whitelist; collects the columns it reads and the aggregates it calls. */
/**
 * Inside an aggregate only columns, constants, arithmetic and numeric casts: a condition there (CASE,
 * FILTER, a comparison, a function) could pick one person's row out of a large group —
 * `sum("费用") FILTER (WHERE "身份证号" = '…')` — which the group-size check cannot see. Conditions go in
 * WHERE or GROUP BY, where they shape the groups that are checked.
 */
const AGGREGATE_ARGUMENT_TYPES = new Set(['ref', 'integer', 'numeric', 'string', 'boolean', 'null', 'binary', 'unary', 'cast']);
const ARITHMETIC = new Set(['+', '-', '*', '/']);

function conditionInAggregate(what: string): never {
  return refuse('SANDBOX_CONDITIONAL_AGGREGATE', `聚合函数内不能使用${what}：条件请写在 WHERE 或 GROUP BY 中（否则可从大分组中单独挑出个人）`, `No ${what} inside an aggregate: put conditions in WHERE or GROUP BY (otherwise one person could be picked out of a large group)`);
}

function walk(scope: Scope, e: Expr | null | undefined, out: Walk, ctx: { inAggregate: boolean; outputAliases?: Set<string> }): void {
  if (!e) return;
  if (ctx.inAggregate) {
    if (!AGGREGATE_ARGUMENT_TYPES.has(e.type)) conditionInAggregate(e.type === 'call' ? `函数 ${e.function.name}` : e.type === 'case' ? ' CASE' : `表达式（${e.type}）`);
    if (e.type === 'binary' && !ARITHMETIC.has(e.op)) conditionInAggregate(`比较或逻辑运算 ${e.op}`);
    if (e.type === 'unary' && e.op !== '-' && e.op !== '+') conditionInAggregate(`运算 ${e.op}`);
  }
  switch (e.type) {
    case 'ref': {
      const r = resolveRef(scope, e, ctx.outputAliases);
      if (r !== 'output') out.refs.push(r);
      return;
    }
    case 'integer':
    case 'numeric':
    case 'string':
    case 'boolean':
    case 'null':
      return;
    case 'keyword':
      if (!KEYWORDS.has(e.keyword)) refuse('SANDBOX_SQL_UNSUPPORTED', `不支持的关键字：${e.keyword}`, `Unsupported keyword: ${e.keyword}`);
      return;
    case 'binary':
      if (e.op === 'IN' || e.op === 'NOT IN') {
        if (e.right.type !== 'list') refuse('SANDBOX_SQL_UNSUPPORTED', '不支持子查询', 'Subqueries are not supported');
      }
      walk(scope, e.left, out, ctx);
      walk(scope, e.right, out, ctx);
      return;
    case 'unary':
      walk(scope, e.operand, out, ctx);
      return;
    case 'list':
      for (const x of e.expressions) walk(scope, x, out, ctx);
      return;
    case 'ternary':
      walk(scope, e.value, out, ctx);
      walk(scope, e.lo, out, ctx);
      walk(scope, e.hi, out, ctx);
      return;
    case 'case':
      walk(scope, e.value, out, ctx);
      for (const w of e.whens) {
        walk(scope, w.when, out, ctx);
        walk(scope, w.value, out, ctx);
      }
      walk(scope, e.else, out, ctx);
      return;
    case 'cast': {
      const to = (e.to as { name?: string }).name?.toLowerCase();
      if (!to || !CAST_TYPES.has(to) || (e.to as { kind?: string }).kind === 'array')
        refuse('SANDBOX_SQL_UNSUPPORTED', `不支持转换为类型 ${to ?? '?'}`, `Casting to ${to ?? 'this type'} is not supported`);
      walk(scope, e.operand, out, ctx);
      return;
    }
    case 'extract':
      walk(scope, e.from, out, ctx);
      return;
    case 'call': {
      const name = e.function.name.toLowerCase();
      if (e.function.schema || !(AGGREGATES.has(name) || SCALARS.has(name)))
        refuse('SANDBOX_FUNCTION_FORBIDDEN', `不允许调用函数 ${e.function.schema ? `${e.function.schema}.` : ''}${name}：沙箱只提供聚合和纯计算函数（读取文件、网络、系统信息、休眠等函数一律禁止）`, `Function ${e.function.schema ? `${e.function.schema}.` : ''}${name} is not allowed: only aggregates and pure scalar functions (no files, network, system information or sleeping)`);
      if (e.over) refuse('SANDBOX_SQL_UNSUPPORTED', '不支持窗口函数（会输出明细）', 'Window functions are not supported (they output rows)');
      if (e.orderBy?.length || e.withinGroup) refuse('SANDBOX_SQL_UNSUPPORTED', '不支持聚合内排序', 'Ordered aggregates are not supported');
      if (AGGREGATES.has(name)) {
        if (ctx.inAggregate) refuse('SANDBOX_SQL_UNSUPPORTED', '不支持嵌套聚合', 'Nested aggregates are not supported');
        const inner: Walk = { refs: [], aggregates: [] };
        for (const a of e.args) {
          if (name === 'count' && a.type === 'ref' && a.name === '*' && !a.table) continue;
          walk(scope, a, inner, { inAggregate: true });
        }
        if (e.filter) conditionInAggregate(' FILTER (WHERE …)');
        out.aggregates.push({ name, refs: inner.refs });
        return;
      }
      for (const a of e.args) walk(scope, a, out, ctx);
      return;
    }
    default:
      refuse('SANDBOX_SQL_UNSUPPORTED', `不支持的语法：${(e as { type: string }).type}（子查询、数组、参数等不在沙箱方言中）`, `Unsupported construct: ${(e as { type: string }).type} (no subqueries, arrays or parameters)`);
  }
}

function tablesOf(scope: Map<string, SandboxTable>, from: From[] | undefined): Map<string, SandboxTable> {
  const used = new Map<string, SandboxTable>();
  for (const f of from ?? []) {
    if (f.type !== 'table') refuse('SANDBOX_SQL_UNSUPPORTED', 'FROM 中只允许授权的数据集（不支持子查询和函数）', 'Only granted datasets may appear in FROM (no subqueries or functions)');
    const t = f as Extract<From, { type: 'table' }>;
    if (t.name.schema) refuse('SANDBOX_TABLE_FORBIDDEN', `不允许访问其他模式的表：${t.name.schema}.${t.name.name}（系统目录、其他服务的数据一律不可见）`, `Tables of other schemas are not accessible: ${t.name.schema}.${t.name.name}`);
    const granted = scope.get(t.name.name);
    if (!granted) refuse('SANDBOX_TABLE_FORBIDDEN', `表不在本次授权范围内：${t.name.name}`, `Table not covered by the grant: ${t.name.name}`);
    const alias = t.name.alias ?? t.name.name;
    if (!SAFE_NAME.test(alias) || used.has(alias)) refuse('SANDBOX_SQL_UNSUPPORTED', `表别名重复或不合法：${alias.slice(0, 40)}`, `Duplicate or invalid table alias: ${alias.slice(0, 40)}`);
    used.set(alias, { ...granted!, alias });
  }
  return used;
}

const key = (r: Resolved) => `${r.alias}\u0000${r.column}`;

function outputName(c: SelectedColumn, i: number): string {
  if (c.alias) return c.alias.name;
  if (c.expr.type === 'ref') return c.expr.name;
  if (c.expr.type === 'call') return c.expr.function.name;
  return `column${i + 1}`;
}

/** Parses and checks a sandbox query, and returns it rewritten for execution; throws SandboxRefusal otherwise. */
export function planSandboxQuery(sql: string, granted: SandboxTable[]): SandboxPlan {
  if (!sql.trim()) refuse('SANDBOX_SQL_INVALID', '查询为空', 'The query is empty');
  if (sql.length > MAX_SQL) refuse('SANDBOX_SQL_INVALID', `查询过长（不超过 ${MAX_SQL} 个字符）`, `The query is too long (at most ${MAX_SQL} characters)`);
  let statements: Statement[];
  try {
    statements = parse(sql);
  } catch {
    const word = WRITE_WORDS.exec(stripLiterals(sql));
    if (word) return READ_ONLY(word[1].toUpperCase());
    return refuse('SANDBOX_SQL_INVALID', 'SQL 无法解析，或使用了沙箱方言之外的语法', 'The SQL cannot be parsed, or uses syntax outside the sandbox dialect');
  }
  if (statements.length !== 1) refuse('SANDBOX_SQL_INVALID', '一次只能提交一条 SELECT 语句', 'Submit exactly one SELECT statement');
  const stmt = statements[0];
  if (stmt.type !== 'select') {
    if (stmt.type === 'union' || stmt.type === 'union all' || stmt.type === 'with' || stmt.type === 'with recursive' || stmt.type === 'values')
      refuse('SANDBOX_SQL_UNSUPPORTED', `沙箱方言不支持 ${stmt.type.toUpperCase()}`, `The sandbox dialect does not support ${stmt.type.toUpperCase()}`);
    return READ_ONLY(stmt.type.toUpperCase());
  }
  const select = stmt as SelectFromStatement;
  if (select.for) READ_ONLY(`FOR ${select.for.type.toUpperCase()}`);
  if ((select as { into?: unknown }).into) READ_ONLY('SELECT … INTO');
  const byName = new Map(granted.map((t) => [t.alias, t]));
  const tables = tablesOf(byName, select.from ?? undefined);
  const scope: Scope = { tables };
  const columns = select.columns ?? [];
  if (columns.length === 0) refuse('SANDBOX_ROW_LEVEL', '须列出输出的聚合结果', 'List the aggregates to output');
  const names = columns.map(outputName);
  for (const n of names) {
    if (!SAFE_NAME.test(n)) refuse('SANDBOX_SQL_INVALID', `输出列名不合法：${n.slice(0, 40)}`, `Invalid output column name: ${n.slice(0, 40)}`);
    if (n.startsWith('__sandbox')) refuse('SANDBOX_SQL_INVALID', `输出列名 ${n} 为保留名`, `The output name ${n} is reserved`);
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) refuse('SANDBOX_SQL_INVALID', `输出列名重复：${dup}（请用 AS 命名）`, `Duplicate output column name: ${dup} (name it with AS)`);
  // Positional GROUP BY / ORDER BY (GROUP BY 1) become the expressions they point at.
  const positional = (e: Expr): Expr => {
    if (e.type !== 'integer') return e;
    const c = columns[e.value - 1];
    if (!c) return refuse('SANDBOX_SQL_INVALID', `GROUP BY/ORDER BY 的序号超出输出列：${e.value}`, `Position ${e.value} is beyond the output columns`);
    return c.expr;
  };
  const groupBy = (select.groupBy ?? []).map(positional);
  const orderBy = (select.orderBy ?? []).map((o) => ({ ...o, by: positional(o.by) }));

  // Where rows come from: joins, filters.
  for (const f of select.from ?? []) {
    const j = (f as { join?: { on?: Expr; using?: { name: string }[] } }).join;
    if (j?.on) {
      const w: Walk = { refs: [], aggregates: [] };
      walk(scope, j.on, w, { inAggregate: false });
      if (w.aggregates.length) refuse('SANDBOX_SQL_INVALID', '连接条件中不能使用聚合', 'Aggregates are not allowed in a join condition');
    }
    for (const u of j?.using ?? []) resolveRef(scope, { type: 'ref', name: u.name } as ExprRef);
  }
  const whereWalk: Walk = { refs: [], aggregates: [] };
  walk(scope, select.where, whereWalk, { inAggregate: false });
  if (whereWalk.aggregates.length) refuse('SANDBOX_SQL_INVALID', 'WHERE 中不能使用聚合（请用 HAVING）', 'Aggregates are not allowed in WHERE (use HAVING)');

  const grouped = new Set<string>();
  for (const g of groupBy) {
    const w: Walk = { refs: [], aggregates: [] };
    walk(scope, g, w, { inAggregate: false });
    if (w.aggregates.length) refuse('SANDBOX_SQL_INVALID', 'GROUP BY 中不能使用聚合', 'Aggregates are not allowed in GROUP BY');
    for (const r of w.refs) grouped.add(key(r));
  }
  const sensitive = (r: Resolved) => tables.get(r.alias)!.sensitive.includes(r.column);
  let aggregated = false;
  columns.forEach((c, i) => {
    const w: Walk = { refs: [], aggregates: [] };
    walk(scope, c.expr, w, { inAggregate: false });
    for (const a of w.aggregates) {
      aggregated = true;
      // min/max hand back one person's raw value.
      if (VALUE_AGGREGATES.has(a.name) && a.refs.some(sensitive))
        refuse('SANDBOX_SENSITIVE_OUTPUT', `输出列 ${names[i]} 会原样输出敏感或个人信息项（${a.name}）`, `Output column ${names[i]} would release a raw sensitive or personal value (${a.name})`);
    }
    for (const r of w.refs) {
      if (!grouped.has(key(r)))
        refuse('SANDBOX_ROW_LEVEL', `输出列 ${names[i]} 不是聚合结果，也不在 GROUP BY 中：沙箱不输出明细`, `Output column ${names[i]} is neither an aggregate nor grouped: the sandbox releases no row-level data`);
      if (sensitive(r)) refuse('SANDBOX_SENSITIVE_OUTPUT', `输出列 ${names[i]} 为敏感或个人信息项 ${r.column}：不能原样输出`, `Output column ${names[i]} is the sensitive or personal item ${r.column}: it cannot be released raw`);
    }
  });
  if (tables.size === 0) refuse('SANDBOX_ROW_LEVEL', '查询须从授权的数据集中读取（FROM）', 'The query must read from a granted dataset (FROM)');
  if (!aggregated && groupBy.length === 0) refuse('SANDBOX_ROW_LEVEL', '查询须为聚合查询（聚合函数或 GROUP BY）：沙箱不输出明细', 'The query must aggregate (aggregate functions or GROUP BY): the sandbox releases no row-level data');
  const outputAliases = new Set(names);
  const hw: Walk = { refs: [], aggregates: [] };
  walk(scope, select.having, hw, { inAggregate: false, outputAliases });
  for (const r of hw.refs) if (!grouped.has(key(r))) refuse('SANDBOX_ROW_LEVEL', `HAVING 中的 ${r.column} 不在 GROUP BY 中`, `${r.column} in HAVING is not grouped`);
  for (const o of orderBy) {
    const w: Walk = { refs: [], aggregates: [] };
    walk(scope, o.by, w, { inAggregate: false, outputAliases });
    for (const r of w.refs) if (!grouped.has(key(r))) refuse('SANDBOX_ROW_LEVEL', `ORDER BY 中的 ${r.column} 不在 GROUP BY 中`, `${r.column} in ORDER BY is not grouped`);
  }
  for (const x of [select.limit?.limit, select.limit?.offset])
    if (x && x.type !== 'integer') refuse('SANDBOX_SQL_INVALID', 'LIMIT/OFFSET 须为整数', 'LIMIT/OFFSET must be integers');

  // Rewrite: granted copies for table names, hidden group size and source row fingerprints.
  const drivingAlias = [...tables.keys()][0]!;
  const fingerprintColumns = tables.get(drivingAlias)!.allColumns;
  if (!fingerprintColumns.length || fingerprintColumns.some((c) => !SAFE_NAME.test(c))) throw new Error('sandbox table without a usable column list');
  const mapper = astMapper(() => ({
    tableRef: (t) => {
      const g = byName.get(t.name);
      return g ? { ...t, schema: g.schema, name: g.table, alias: t.alias ?? t.name } : t;
    },
  }));
  const rewritten = mapper.statement({
    ...select,
    groupBy: groupBy.length ? groupBy : undefined,
    orderBy: orderBy.length ? orderBy : undefined,
    columns: [
      ...columns.map((c, i) => ({ ...c, alias: { name: names[i] } })),
      { expr: { type: 'call', function: { name: 'count' }, args: [{ type: 'ref', name: '*' }] }, alias: { name: HIDDEN_COUNT } },
      // Row fingerprints as one bytea of big-endian int4 per group (~3× cheaper to fetch than an int
      // array's text form): hashtext of the driving row's values, all columns of the copy, so the same
      // row has the same id in every version and a changed row shows up as removed plus added.
      {
        expr: {
          type: 'call',
          function: { name: 'string_agg' },
          args: [
            { type: 'call', function: { name: 'int4send' }, args: [{ type: 'call', function: { name: 'hashtext' }, args: [{ type: 'cast', operand: { type: 'call', function: { name: 'row' }, args: fingerprintColumns.map((c) => ({ type: 'ref', table: { name: drivingAlias }, name: c })) }, to: { name: 'text' } }] }] },
            { type: 'cast', operand: { type: 'string', value: '' }, to: { name: 'bytea' } },
          ],
        },
        alias: { name: HIDDEN_ROWS },
      },
    ],
  } as SelectFromStatement)!;
  const drivingTable = (select.from![0] as Extract<From, { type: 'table' }>).name.name;
  return { sql: toSql.statement(rewritten), columns: names, drivingAlias, drivingTable };
}
