import { columnNames, copyText, versionTableName } from './version-table';

describe('version tables', () => {
  it('names a version table after the dataset and version', () => {
    expect(versionTableName('0f8fad5b-d9cb-469f-a165-70867728950e', 3)).toBe('dv_0f8fad5bd9cb469fa16570867728950e_3');
    expect(() => versionTableName('x"; DROP TABLE y; --', 1)).toThrow();
  });

  it('escapes COPY text and writes null as \\N', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText('a\tb\nc\\d\re')).toBe('a\\tb\\nc\\\\d\\re');
    expect(copyText('=SUM(A1)')).toBe('=SUM(A1)');
    expect(copyText('统一社会信用代码')).toBe('统一社会信用代码');
  });

  it('keeps column names unique and within 63 bytes', () => {
    const long = '很长的信息项名称'.repeat(4);
    const names = columnNames(['企业名称', '企业名称', long, '_row']);
    expect(names[0]).toBe('企业名称');
    expect(names[1]).toBe('企业名称_2');
    expect(Buffer.byteLength(names[2])).toBeLessThanOrEqual(63);
    expect(names[3]).toBe('_row_2');
  });
});
