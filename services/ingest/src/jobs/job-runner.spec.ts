import type { ServiceRuntime } from '@gov/shared';
import type { DataSource } from 'typeorm';
import type { VersionLoader } from '../loading/version-loader';
import type { ArrivingRawFile } from '../uploads/raw-file.store';
import type { IngestJob } from './job.entity';
import { JobRunner } from './job-runner';

/** A runner whose queue polls wait until the test answers; the first finds `claimed`, the next ones nothing. */
function runnerWith(claimed: { id: string }[], liveLoad: Promise<void> = Promise.resolve()) {
  let answer!: () => void;
  const polled = new Promise<void>((resolve) => (answer = resolve));
  const db = {
    query: jest.fn(async () => {
      await polled;
      return claimed.splice(0);
    }),
    getRepository: () => ({ findOneByOrFail: async ({ id }: { id: string }) => ({ id }) }),
  } as unknown as DataSource;
  const runs: { id: string; live: boolean }[] = [];
  const loader = {
    run: jest.fn(async (job: IngestJob, arriving?: ArrivingRawFile) => {
      runs.push({ id: job.id, live: Boolean(arriving) });
      if (arriving) await liveLoad;
    }),
  } as unknown as VersionLoader;
  const runner = new JobRunner(db, loader, { settings: { extra: {} } } as unknown as ServiceRuntime);
  return { runner, runs, answer };
}

const arriving = () => ({ release: jest.fn(async () => undefined) }) as unknown as ArrivingRawFile;

describe('JobRunner.startNow (an upload loaded while it arrives)', () => {
  it('starts the upload once a poll in flight finds the queue empty', async () => {
    const { runner, runs, answer } = runnerWith([]);
    const drained = runner.drain();
    const started = runner.startNow(async () => ({ id: 'live' }) as IngestJob, arriving());
    answer();
    await expect(started).resolves.toEqual({ id: 'live' });
    await expect(drained).resolves.toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(runs).toEqual([{ id: 'live', live: true }]);
  });

  it('leaves the upload to the queue when the poll in flight claims a job, never running two at once', async () => {
    const { runner, runs, answer } = runnerWith([{ id: 'queued' }]);
    const drained = runner.drain();
    const file = arriving();
    const started = runner.startNow(async () => ({ id: 'live' }) as IngestJob, file);
    answer();
    await expect(started).resolves.toBeUndefined();
    expect(file.release).not.toHaveBeenCalled(); // the caller releases it and stores the file first
    await drained;
    expect(runs).toEqual([{ id: 'queued', live: false }]);
  });

  it('runs a queued job while an upload is loaded as it arrives, and takes no second live upload then', async () => {
    let finishLive!: () => void;
    const { runner, runs, answer } = runnerWith([{ id: 'queued' }], new Promise<void>((resolve) => (finishLive = resolve)));
    await expect(runner.startNow(async () => ({ id: 'live' }) as IngestJob, arriving())).resolves.toEqual({ id: 'live' });
    const drained = runner.drain();
    answer();
    await expect(drained).resolves.toBe(1);
    expect(runs).toEqual([
      { id: 'live', live: true },
      { id: 'queued', live: false },
    ]);
    await expect(runner.startNow(async () => ({ id: 'second' }) as IngestJob, arriving())).resolves.toBeUndefined();
    finishLive();
    await new Promise((r) => setImmediate(r));
    await expect(runner.startNow(async () => ({ id: 'third' }) as IngestJob, arriving())).resolves.toEqual({ id: 'third' });
  });
});
