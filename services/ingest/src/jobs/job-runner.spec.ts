import type { ServiceRuntime } from '@gov/shared';
import type { DataSource } from 'typeorm';
import type { VersionLoader } from '../loading/version-loader';
import type { ArrivingRawFile } from '../uploads/raw-file.store';
import type { IngestJob } from './job.entity';
import { JobRunner } from './job-runner';

/** A runner whose queue polls wait until the test answers; the first finds `claimed`, the next ones nothing. */
function runnerWith(claimed: { id: string }[]) {
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
    run: jest.fn(async (job: IngestJob, arriving?: ArrivingRawFile) => void runs.push({ id: job.id, live: Boolean(arriving) })),
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
});
