import { encodeRecord, encodeSegment } from '@gov/shared';
import { buildRecord } from '../records/audit-record.builder';
import { searchKeysOf } from '../records/search-keys';
import { blocksOf, KeyFilter } from './segment-blocks';

const record = (seq: number) =>
  buildRecord(
    {
      id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
      name: 'sharing.data.accessed',
      version: 1,
      key: `g-${seq % 3}`,
      occurredAt: new Date(Date.UTC(2026, 0, 1) + seq * 60_000).toISOString(),
      producer: 'sharing',
      correlationId: `c-${seq}`,
      actor: { type: 'user', id: `u-${seq % 5}`, name: '张三', deptId: `d-${seq % 2}` },
      payload: { grantId: `g-${seq % 3}`, datasetId: `s-${seq % 7}`, rowCount: seq },
    } as any,
    seq,
    new Date(Date.UTC(2026, 0, 2)),
  );

describe('archived segment blocks', () => {
  it('a key filter never forgets a key and rarely claims one it was not given', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `u:user-${i}`);
    const f = KeyFilter.forKeys(keys, keys.length);
    expect(keys.every((k) => f.mayHave(k))).toBe(true);
    const strangers = Array.from({ length: 5000 }, (_, i) => `u:stranger-${i}`).filter((k) => f.mayHave(k)).length;
    expect(strangers).toBeLessThan(150);
    expect(KeyFilter.from(Buffer.from(f.bits)).mayHave('u:user-42')).toBe(true);
  });

  it('cuts a segment into blocks with exact byte ranges, time ranges and the keys of their records', () => {
    const records = Array.from({ length: 25 }, (_, i) => record(100 + i));
    const file = encodeSegment(records.map(encodeRecord));
    const blocks = blocksOf(file, 100, 10);
    expect(blocks.map((b) => [b.fromSeq, b.toSeq])).toEqual([[100, 110], [110, 120], [120, 125]]);
    expect(blocks[0].byteStart).toBe(0);
    expect(blocks[2].byteEnd).toBe(file.length);
    for (const b of blocks) {
      const lines = file.subarray(b.byteStart, b.byteEnd).toString('utf8').split('\n').filter(Boolean);
      expect(lines.map((l) => JSON.parse(l).seq)).toEqual(Array.from({ length: b.toSeq - b.fromSeq }, (_, i) => b.fromSeq + i));
      const inside = records.slice(b.fromSeq - 100, b.toSeq - 100);
      expect(b.occurredFrom).toBe(inside[0].occurredAt);
      expect(b.occurredTo).toBe(inside[inside.length - 1].occurredAt);
      for (const r of inside) expect(searchKeysOf(r).every((k) => b.filter.mayHave(k))).toBe(true);
    }
    expect(searchKeysOf(records[0])).toEqual(expect.arrayContaining(['u:u-0', 'd:d-0', 's:s-2', 'g:g-1', 'c:c-100', 'o:g-1']));
  });
});
