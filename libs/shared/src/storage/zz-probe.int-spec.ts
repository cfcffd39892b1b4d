import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { MinioObjectStorage } from './minio.storage';
const S3rver = require('s3rver');
it('probe', async () => {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: await mkdtemp(join(tmpdir(), 'probe-s3-')) });
  server.middleware.unshift(async (ctx: any, next: any) => {
    if (ctx.method === 'GET' && 'uploads' in ctx.query) { ctx.type = 'application/xml'; ctx.body = '<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>'; return; }
    await next();
  });
  const { port } = await server.run();
  const s = new MinioObjectStorage({ endpoint: `http://127.0.0.1:${port}`, accessKey: 'S3RVER', secretKey: 'S3RVER', bucket: 'b', region: 'us-east-1' });
  const failing = Readable.from((async function* () { yield Buffer.from('partial'); throw new Error('client went away'); })());
  const t0 = Date.now();
  const r = await Promise.race([s.put('k/broken', failing).then(() => 'resolved', (e) => 'rejected: ' + e.message), new Promise((res) => setTimeout(() => res('STILL PENDING after 5s'), 5000))]);
  console.log('minio put(failing stream) ->', r, Date.now() - t0, 'ms');
  console.log('stat after ->', JSON.stringify(await s.stat('k/broken')));
  server.httpServer.closeAllConnections(); await server.close();
}, 20000);
