import { parseRange } from './open-records.controller';
import { parseDownload } from './open-records.service';

describe('download requests', () => {
  it('parses single byte ranges and refuses what cannot be satisfied', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=50-1000', 100)).toEqual({ start: 50, end: 99 });
    for (const bad of ['bytes=100-', 'bytes=10-1', 'bytes=-0', 'bytes=-', 'items=0-1', 'bytes=0-1,5-9', 'bytes=abc', `bytes=${'9'.repeat(30)}-`]) expect(parseRange(bad, 100)).toBeUndefined();
  });

  it('accepts csv/xlsx/json and GBK only for CSV, with stable codes otherwise', () => {
    expect(parseDownload(undefined, undefined)).toEqual({ format: 'csv', encoding: 'utf-8' });
    expect(parseDownload('CSV', 'GBK')).toEqual({ format: 'csv', encoding: 'gbk' });
    expect(parseDownload('xlsx', 'utf8')).toEqual({ format: 'xlsx', encoding: 'utf-8' });
    expect(() => parseDownload('pdf')).toThrow(expect.objectContaining({ code: 'OPEN_BAD_FORMAT' }));
    expect(() => parseDownload('json', 'gbk')).toThrow(expect.objectContaining({ code: 'OPEN_BAD_ENCODING' }));
    expect(() => parseDownload('csv', 'latin1')).toThrow(expect.objectContaining({ code: 'OPEN_BAD_ENCODING' }));
  });
});
