import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FileSystemObjectStorage } from '../storage/filesystem.storage';
import { copyText, parseCopyLine, snapshotTap } from './snapshot';

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

describe('snapshot tap', () => {
  it('a load failing before the store reads the snapshot leaves no stray error and no object', async () => {
    const root = await mkdtemp(join(tmpdir(), 'snapshot-tap-'));
    const unhandled: unknown[] = [];
    const onUncaught = (err: unknown) => unhandled.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const storage = new FileSystemObjectStorage(root);
      const writer = snapshotTap(storage, 'snapshots/d/2.tsv');
      // the load fails at once, as the COPY pipeline sees it: the store is still getting ready (its put awaits before it reads)
      const failing = Readable.from(
        (async function* () {
          yield Buffer.from('1\t甲\n');
          throw new Error('the parse worker ended (exit code 1)');
        })(),
      );
      await expect(pipeline(failing, writer.tap, new Writable({ write: (_c, _e, done) => done() }))).rejects.toThrow('exit code 1');
      await writer.abort();
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
      expect(await readdir(join(root, 'snapshots', 'd')).catch(() => [])).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await rm(root, { recursive: true, force: true });
    }
  });
});
