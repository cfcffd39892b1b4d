import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { ObjectStorage, seededRandom } from '@gov/shared';
import { dropSnapshotRows } from './late-duplicates';

/** Object storage holding one object, read back in chunks of random sizes; what putFile is given is kept. */
function storageOf(text: string, random: () => number): { storage: ObjectStorage; put: () => string | undefined } {
  let put: string | undefined;
  const bytes = Buffer.from(text, 'utf8');
  const storage = {
    get: async () => {
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; ) {
        const n = 1 + Math.floor(random() * 80);
        chunks.push(bytes.subarray(at, at + n));
        at += n;
      }
      return Readable.from(chunks);
    },
    putFile: async (_key: string, path: string) => {
      put = await readFile(path, 'utf8');
      return { key: _key, size: Buffer.byteLength(put), etag: 'x' };
    },
  } as unknown as ObjectStorage;
  return { storage, put: () => put };
}

describe('dropSnapshotRows', () => {
  it('keeps every other line byte for byte, whatever the chunking', async () => {
    const random = seededRandom(11);
    for (let round = 0; round < 30; round++) {
      const lines: { row: number; line: string }[] = [];
      let row = 1 + Math.floor(random() * 5);
      for (let i = 0; i < 300; i++) {
        row += 1 + Math.floor(random() * 3);
        const cells = [String(row), `企业${row}`, random() < 0.2 ? '\\N' : `a\\tb${i}`, '阿卜杜·热合曼'.slice(0, Math.floor(random() * 7))];
        lines.push({ row, line: `${cells.join('\t')}\n` });
      }
      const drop = lines.filter(() => random() < 0.1).map((l) => l.row);
      const { storage, put } = storageOf(lines.map((l) => l.line).join(''), random);
      const ref = await dropSnapshotRows(storage, 'snapshots/d/1.tsv', drop, tmpdir());
      const expected = lines.filter((l) => !drop.includes(l.row)).map((l) => l.line).join('');
      expect(put()).toBe(expected);
      expect(ref).toEqual({ key: 'snapshots/d/1.tsv', format: 'pg-copy-text', rows: lines.length - drop.length, bytes: Buffer.byteLength(expected), sha256: createHash('sha256').update(expected).digest('hex') });
    }
  });

  it('refuses a snapshot whose last line is cut off', async () => {
    const { storage, put } = storageOf('1\ta\n2\tb', seededRandom(3));
    await expect(dropSnapshotRows(storage, 'k', [1], tmpdir())).rejects.toThrow(/line break/);
    expect(put()).toBeUndefined();
  });
});
