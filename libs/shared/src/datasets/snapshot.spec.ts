import { copyText, parseCopyLine } from './snapshot';

describe('COPY text encoding of dataset snapshots', () => {
  it('round-trips nulls, empty strings, tabs, newlines, backslashes and Chinese text', () => {
    const values = [null, '', 'a\tb', '第一行\n第二行', 'C:\\路径\\文件', '\\N', 'x\r\ny'];
    const line = values.map(copyText).join('\t');
    expect(line.includes('\n')).toBe(false);
    expect(parseCopyLine(line)).toEqual(values);
  });

  it('keeps the literal text \\N distinct from null', () => {
    expect(parseCopyLine(copyText('\\N'))).toEqual(['\\N']);
    expect(parseCopyLine('\\N')).toEqual([null]);
  });
});
