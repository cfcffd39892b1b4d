import { Logger } from '@nestjs/common';
import { Writable } from 'node:stream';
import { runWithContext } from '../http/request-context';
import { createLogger, PinoNestLogger } from './logger';
import { runAsService } from './service-scope';

/** Collects raw log lines: the `service` key must appear exactly once, so the text is checked too. */
function sink() {
  const lines: string[] = [];
  const destination = new Writable({ write: (chunk, _enc, done) => (lines.push(...String(chunk).trim().split('\n')), done()) });
  return { lines, destination };
}

const serviceKeys = (line: string) => line.match(/"service":/g)?.length ?? 0;

describe('service names in log lines', () => {
  it('embedded mode: a line names the service whose scope wrote it, once; outside every scope "platform"', async () => {
    const { lines, destination } = sink();
    const logger = createLogger('platform', 'info', { fromScope: true, destination });
    logger.info('boot');
    await runAsService('ingest', async () => {
      await new Promise((r) => setTimeout(r, 1));
      runWithContext({ correlationId: 'corr-12345678' }, () => logger.info('loaded'));
    });
    runAsService('sharing', () => logger.child({ context: 'x' }).warn('refused'));
    expect(lines.map((l) => JSON.parse(l).service)).toEqual(['platform', 'ingest', 'sharing']);
    expect(JSON.parse(lines[1]).correlationId).toBe('corr-12345678');
    expect(lines.map(serviceKeys)).toEqual([1, 1, 1]);
  });

  it("Nest's process-wide Logger writes under the calling service's name", () => {
    const { lines, destination } = sink();
    Logger.overrideLogger(new PinoNestLogger(createLogger('platform', 'info', { fromScope: true, destination })));
    try {
      const byClass = new Logger('OpenDatasetLoader');
      runAsService('open-api', () => byClass.log('loaded 60 rows'));
      runAsService('catalog', () => byClass.warn('late'));
    } finally {
      Logger.overrideLogger(false);
    }
    expect(lines.map((l) => [JSON.parse(l).service, JSON.parse(l).context])).toEqual([
      ['open-api', 'OpenDatasetLoader'],
      ['catalog', 'OpenDatasetLoader'],
    ]);
  });

  it('distributed mode: the bound service stays, inside a scope too, and is written once', () => {
    const { lines, destination } = sink();
    const logger = createLogger('audit', 'info', { destination });
    runAsService('catalog', () => logger.info('x'));
    expect(JSON.parse(lines[0]).service).toBe('audit');
    expect(serviceKeys(lines[0])).toBe(1);
  });
});
