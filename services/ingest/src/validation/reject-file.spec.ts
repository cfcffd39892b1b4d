import { Writable } from 'node:stream';
import { ColumnSpec } from '../pipeline/contracts';
import { createRejectFileWriter, rejectCell, rejectLineOf, rejectShareExceeded } from './reject-file';
import { createRowValidator } from './row-validator';

/** A Writable collecting bytes; `highWaterMark` 1 makes every write report back-pressure. */
function sink(highWaterMark = 16 * 1024) {
  const chunks: Buffer[] = [];
  let drains = 0;
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk);
      setImmediate(done);
    },
  });
  stream.on('drain', () => drains++);
  return { stream, text: () => Buffer.concat(chunks).toString('utf8'), bytes: () => Buffer.concat(chunks), drains: () => drains };
}

describe('reject file', () => {
  const specs: ColumnSpec[] = [
    { name: '统一社会信用代码', dataType: 'C', length: 18, key: true, required: true, format: 'uscc' },
    { name: '企业名称', dataType: 'C', required: true },
    { name: '成立日期', dataType: 'D' },
  ];

  it('UTF-8 with BOM, header, one line per problem, a row with two problems counted once, cells escaped', async () => {
    const validator = createRowValidator(specs, [0, 1, 2], { now: new Date('2024-06-01T00:00:00Z') });
    const out = sink();
    const writer = createRejectFileWriter(out.stream);
    const rows = [
      { rowNumber: 2, values: ['91350100M000100Y43', '厦门公司', '2023-01-05'], raw: '91350100M000100Y43,厦门公司,2023-01-05' },
      // Two problems: bad checksum, bad date; the name is a formula.
      { rowNumber: 3, values: ['91350203M0001QAY9B', '=HYPERLINK("http://evil","点我")', '2023-02-30'], raw: '91350203M0001QAY9B,"=HYPERLINK(""http://evil"",""点我"")",2023-02-30' },
      { rowNumber: 4, values: ['91350203M0001QAY99', '', ''], raw: '91350203M0001QAY99,,' },
    ];
    for (const row of rows) {
      const { problems } = validator.validate(row);
      if (problems.length > 0) await writer.write(problems);
    }
    const summary = await writer.close();
    expect(summary).toEqual({ rejectedRows: 2, lines: 3, writtenLines: 3, bytes: out.bytes().length });

    const bytes = out.bytes();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const raw3 = '"91350203M0001QAY9B,""=HYPERLINK(""""http://evil"""",""""点我"""")"",2023-02-30"';
    expect(out.text().split('\r\n')).toEqual([
      '\uFEFF行号,列,问题代码,原因,原始行',
      `3,统一社会信用代码,INVALID_USCC,"""统一社会信用代码""的值""91350203M0001QAY9B""：统一社会信用代码校验码错误，第 18 位应为""9""",${raw3}`,
      `3,成立日期,INVALID_DATE,"""成立日期""的值""2023-02-30""不是有效日期（可用格式：2023-01-05、2023/1/5、2023.1.5、2023年1月5日、20230105）",${raw3}`,
      '4,企业名称,REQUIRED_MISSING,"""企业名称""为必填项，不能为空","91350203M0001QAY99,,"',
      '',
    ]);
  });

  it('a cell starting like a formula gets an apostrophe, then CSV quoting', () => {
    expect(rejectCell('=1+1')).toBe("'=1+1");
    expect(rejectCell('=SUM(A1,A2)')).toBe(`"'=SUM(A1,A2)"`);
    expect(rejectCell('@cmd')).toBe("'@cmd");
    expect(rejectCell('-1,5')).toBe(`"'-1,5"`);
    expect(rejectCell('-15')).toBe('-15');
    expect(rejectCell(null)).toBe('');
    expect(rejectCell(12)).toBe('12');
  });

  it('a raw line that starts with a formula is neutralised', async () => {
    const out = sink();
    const writer = createRejectFileWriter(out.stream);
    await writer.write([{ rowNumber: 9, column: null, code: 'RAGGED_ROW', reason: '列数不符', raw: '=cmd|"/c calc"!A1,x' }]);
    await writer.close();
    expect(out.text().split('\r\n')[1]).toBe(`9,,RAGGED_ROW,列数不符,"'=cmd|""/c calc""!A1,x"`);
  });

  it('parser problems convert to reject lines', () => {
    expect(rejectLineOf({ rowNumber: 5, code: 'RAGGED_ROW', zh: '第 5 行有 4 列，表头有 3 列', en: 'row 5 has 4 cells', raw: 'a,b,c,d' })).toEqual({
      rowNumber: 5,
      column: null,
      code: 'RAGGED_ROW',
      reason: '第 5 行有 4 列，表头有 3 列',
      raw: 'a,b,c,d',
    });
  });

  it('honours back-pressure and streams large files in chunks', async () => {
    const out = sink(1);
    const writer = createRejectFileWriter(out.stream);
    for (let row = 2; row < 20_002; row++) {
      await writer.write([{ rowNumber: row, column: '企业名称', code: 'REQUIRED_MISSING', reason: '"企业名称"为必填项，不能为空', raw: `x${row},,` }]);
    }
    const summary = await writer.close();
    expect(summary.rejectedRows).toBe(20_000);
    expect(out.text().split('\r\n')).toHaveLength(20_000 + 2); // header + lines + final empty
    expect(out.drains()).toBeGreaterThan(1);
  });

  it('maxLines caps the file and says how many were left out', async () => {
    const out = sink();
    const writer = createRejectFileWriter(out.stream, { maxLines: 2 });
    await writer.write([
      { rowNumber: 2, column: 'a', code: 'X', reason: 'r', raw: '1' },
      { rowNumber: 2, column: 'b', code: 'X', reason: 'r', raw: '1' },
    ]);
    await writer.write([{ rowNumber: 3, column: 'a', code: 'X', reason: 'r', raw: '2' }]);
    expect(await writer.close()).toEqual(expect.objectContaining({ rejectedRows: 2, lines: 3, writtenLines: 2 }));
    expect(out.text().trimEnd().split('\r\n').pop()).toBe(',,TRUNCATED,问题过多，已省略其余 1 条,');
  });

  it('a failing stream fails the writer', async () => {
    const failing = new Writable({
      write(_chunk, _enc, done) {
        done(new Error('disk full'));
      },
    });
    const writer = createRejectFileWriter(failing);
    await writer.write([{ rowNumber: 2, column: null, code: 'X', reason: 'r', raw: '' }]);
    await expect(writer.close()).rejects.toThrow('disk full');
  });
});

describe('rejectShareExceeded', () => {
  it('fails only above the share', () => {
    expect(rejectShareExceeded(5, 100, 0.05)).toBe(false);
    expect(rejectShareExceeded(6, 100, 0.05)).toBe(true);
    expect(rejectShareExceeded(29, 100, 0.29)).toBe(false); // 0.29 × 100 is 28.999… in floating point
    expect(rejectShareExceeded(1, 1_000_000, 0)).toBe(true);
    expect(rejectShareExceeded(0, 1_000_000, 0)).toBe(false);
    expect(rejectShareExceeded(0, 0, 0)).toBe(false);
    expect(rejectShareExceeded(10, 10, 1)).toBe(false);
  });

  it('refuses a share outside 0–1', () => {
    expect(() => rejectShareExceeded(1, 10, 5)).toThrow(RangeError);
    expect(() => rejectShareExceeded(1, 10, -0.1)).toThrow(RangeError);
    expect(() => rejectShareExceeded(1, 10, Number.NaN)).toThrow(RangeError);
  });
});
