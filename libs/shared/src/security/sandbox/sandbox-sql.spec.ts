import { HIDDEN_COUNT, HIDDEN_ROWS, planSandboxQuery, SandboxRefusal, SandboxTable } from './sandbox-sql';

const TABLES: SandboxTable[] = [
  { alias: 'people', schema: 'sharing', table: 'ds_aaa_1', columns: ['区县', '性别', '身份证号', '年龄'], sensitive: ['身份证号'], allColumns: ['区县', '性别', '身份证号', '年龄', '住址'] },
  { alias: 'visits', schema: 'sharing', table: 'ds_bbb_2', columns: ['证件号', '诊断', '费用'], sensitive: ['证件号'], allColumns: ['证件号', '诊断', '费用'] },
];

function refusal(sql: string): SandboxRefusal {
  try {
    planSandboxQuery(sql, TABLES);
  } catch (err) {
    if (err instanceof SandboxRefusal) return err;
    throw err;
  }
  throw new Error(`accepted: ${sql}`);
}

describe('accepted queries', () => {
  it('rewrites table names to the granted copies and adds the hidden group size and row ids', () => {
    const plan = planSandboxQuery(`SELECT "区县", count(*) AS n, avg("年龄") AS "平均年龄" FROM people WHERE "年龄" > 30 GROUP BY 1 ORDER BY 2 DESC LIMIT 5`, TABLES);
    expect(plan.columns).toEqual(['区县', 'n', '平均年龄']);
    expect(plan.drivingAlias).toBe('people');
    expect(plan.sql).toContain('sharing.ds_aaa_1');
    expect(plan.sql).not.toMatch(/FROM people\b(?! *AS)/);
    expect(plan.sql).toContain(HIDDEN_COUNT);
    expect(plan.sql).toContain(HIDDEN_ROWS);
    // Source rows are identified by a hash of all the driving row's columns (granted or not), never by _row.
    expect(plan.sql).toMatch(/hashtext\s*\(+row\s*\(people\s*\."区县", people\s*\."性别", people\s*\."身份证号", people\s*\."年龄", people\s*\."住址"\s*\)/);
    expect(plan.sql).not.toMatch(/_row\b/);
    // GROUP BY 1 is the column itself, not the constant 1.
    expect(plan.sql).toMatch(/GROUP BY "区县"/);
  });

  it('joins granted tables', () => {
    const plan = planSandboxQuery(`SELECT v."诊断", count(*) AS n FROM people p JOIN visits v ON v."证件号" = p."身份证号" GROUP BY v."诊断"`, TABLES);
    expect(plan.sql).toContain('sharing.ds_aaa_1');
    expect(plan.sql).toContain('sharing.ds_bbb_2');
    expect(plan.drivingAlias).toBe('p');
  });

  it('counts distinct personal values without releasing them', () => {
    expect(planSandboxQuery(`SELECT count(DISTINCT "身份证号") AS persons FROM people`, TABLES).columns).toEqual(['persons']);
  });
});

describe('refused queries', () => {
  it.each([
    ['INSERT INTO people VALUES (1)', 'SANDBOX_READ_ONLY'],
    [`UPDATE people SET "年龄" = 1`, 'SANDBOX_READ_ONLY'],
    ['DELETE FROM people', 'SANDBOX_READ_ONLY'],
    ['DROP TABLE people', 'SANDBOX_READ_ONLY'],
    ['CREATE TABLE x (a int)', 'SANDBOX_READ_ONLY'],
    ['SELECT count(*) INTO copy FROM people', 'SANDBOX_READ_ONLY'],
    ['SELECT count(*) FROM people FOR UPDATE', 'SANDBOX_READ_ONLY'],
    [`COPY people TO PROGRAM 'id'`, 'SANDBOX_READ_ONLY'],
  ])('writes: %s', (sql, code) => {
    expect(refusal(sql).code).toBe(code);
  });

  it.each([`SELECT pg_read_file('/etc/passwd')`, `SELECT count(*), lo_import('/etc/passwd') FROM people`, `SELECT dblink('host=x', 'select 1')`, 'SELECT pg_sleep(10)', 'SELECT pg_catalog.pg_sleep(10)', 'SELECT count(*) FROM people WHERE pg_sleep(5) IS NULL'])(
    'functions outside the whitelist: %s',
    (sql) => {
      expect(refusal(sql).code).toBe('SANDBOX_FUNCTION_FORBIDDEN');
    },
  );

  it.each(['SELECT count(*) FROM pg_catalog.pg_class', 'SELECT count(*) FROM pg_class', 'SELECT count(*) FROM information_schema.tables', 'SELECT count(*) FROM ingest.dataset', 'SELECT count(*) FROM sharing.grant_'])(
    'catalogs and other schemas: %s',
    (sql) => {
      expect(refusal(sql).code).toBe('SANDBOX_TABLE_FORBIDDEN');
    },
  );

  it.each([
    'SELECT * FROM people',
    `SELECT "区县", "年龄" FROM people`,
    `SELECT "年龄" FROM people GROUP BY "区县"`,
    `SELECT DISTINCT "区县" FROM people`,
    `SELECT count(*) OVER () FROM people`,
  ])('row-level output: %s', (sql) => {
    expect(['SANDBOX_ROW_LEVEL', 'SANDBOX_SQL_UNSUPPORTED']).toContain(refusal(sql).code);
  });

  it('raw sensitive columns, grouped or through min/max', () => {
    expect(refusal(`SELECT "身份证号", count(*) FROM people GROUP BY "身份证号"`).code).toBe('SANDBOX_SENSITIVE_OUTPUT');
    expect(refusal(`SELECT max("身份证号") FROM people`).code).toBe('SANDBOX_SENSITIVE_OUTPUT');
  });

  it.each([
    `SELECT count(*) AS n, sum("年龄") FILTER (WHERE "身份证号" = '420704199001011234') AS age FROM people`,
    `SELECT sum(CASE WHEN "身份证号" = '420704199001011234' THEN "年龄" END) AS age FROM people`,
    `SELECT sum("年龄" * ("身份证号" = '420704199001011234')::int) AS age FROM people`,
    `SELECT sum("年龄" * length(replace("身份证号", '420704199001011234', ''))) AS x FROM people`,
  ])('conditions inside aggregates (picking one person out of a large group): %s', (sql) => {
    expect(refusal(sql).code).toBe('SANDBOX_CONDITIONAL_AGGREGATE');
  });

  it('columns outside the grant, subqueries, unions, several statements', () => {
    expect(refusal(`SELECT count("姓名") FROM people`).code).toBe('SANDBOX_COLUMN_FORBIDDEN');
    expect(refusal(`SELECT count(*) FROM people WHERE "区县" IN (SELECT "诊断" FROM visits)`).code).toBe('SANDBOX_SQL_UNSUPPORTED');
    expect(refusal(`SELECT count(*) FROM (SELECT * FROM people) x`).code).toBe('SANDBOX_SQL_UNSUPPORTED');
    expect(refusal(`SELECT count(*) FROM people UNION SELECT count(*) FROM visits`).code).toBe('SANDBOX_SQL_UNSUPPORTED');
    expect(refusal(`SELECT count(*) FROM people; SELECT count(*) FROM visits`).code).toBe('SANDBOX_SQL_INVALID');
    expect(refusal(`SELECT count(*) AS __sandbox_n FROM people`).code).toBe('SANDBOX_SQL_INVALID');
  });
});
