import { existsSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { keepConnectionsLongerThanClients } from '@gov/shared';
import { join, resolve } from 'node:path';
import { AuditModule } from '@gov/audit';
import { CatalogModule } from '@gov/catalog';
import { IngestModule } from '@gov/ingest';
import { OpenApiModule } from '@gov/open-api';
import { SharingModule } from '@gov/sharing';
import { CommonErrors, correlationIdFrom, createServiceApp, HttpHandler, httpHandlerOf, runWithContext, SERVICES, ServiceName, ServiceRuntime, sendProblem } from '@gov/shared';
import { DynamicModule, INestApplication } from '@nestjs/common';
import express from 'express';

export const MODULES: Record<ServiceName, (rt: ServiceRuntime) => DynamicModule> = {
  catalog: (rt) => CatalogModule.register(rt),
  ingest: (rt) => IngestModule.register(rt),
  sharing: (rt) => SharingModule.register(rt),
  'open-api': (rt) => OpenApiModule.register(rt),
  audit: (rt) => AuditModule.register(rt),
};

/** First path segment after /api → the service that owns it; /api/docs is served by catalog. */
const ROUTES = new Map<string, ServiceName>([
  ...Object.entries(SERVICES).map(([name, s]) => [s.routePrefix, name as ServiceName] as [string, ServiceName]),
  ['docs', 'catalog'],
  ['docs-json', 'catalog'],
]);

/** `/api/<segment>/…` → the service that owns the segment, read from the raw request URL. */
export function serviceOfPath(url: string): ServiceName | undefined {
  if (!url.startsWith('/api/')) return undefined;
  const end = url.slice(5).search(/[/?#]/);
  return ROUTES.get(end < 0 ? url.slice(5) : url.slice(5, 5 + end));
}

export interface PlatformServer {
  apps: Record<ServiceName, INestApplication>;
  http: Server;
  close(): Promise<void>;
}

function portalDir(): string | undefined {
  const dir = resolve(process.env.PORTAL_DIR ?? join(__dirname, '../../../apps/portal/dist'));
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

const LANDING = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>政务数据共享交换平台</title>
<body style="font-family:sans-serif;max-width:40em;margin:3em auto"><h1>政务数据共享交换平台</h1>
<p>平台已启动。门户页面尚未构建；API 文档见 <a href="/api/docs">/api/docs</a>。</p>
<ul>${Object.values(SERVICES).map((s) => `<li><a href="/api/${s.routePrefix}/health">/api/${s.routePrefix}/health</a></li>`).join('')}</ul></body></html>`;

/**
 * Boots the five services as five Nest applications in this process and serves them on one
 * port: each keeps its own module tree, database schema, consumer group and metrics, exactly
 * as in distributed mode; only the transport and the HTTP listener are shared.
 */
export async function startPlatformServer(runtime: ServiceRuntime, opts: { port: number; host: string }): Promise<PlatformServer> {
  const apps = {} as Record<ServiceName, INestApplication>;
  const handlers = new Map<ServiceName, HttpHandler>();
  // Sequential on purpose: migrations take an advisory lock each, and two cores gain little.
  for (const service of Object.keys(MODULES) as ServiceName[]) {
    const app = await createServiceApp(MODULES[service](runtime), service, runtime, { migrate: true, combinedDocs: service === 'catalog' });
    apps[service] = app;
    handlers.set(service, httpHandlerOf(app));
  }

  const root = express();
  root.disable('x-powered-by');
  root.use((req, res, next) => {
    if (req.path.split('/')[1] === 'api') {
      const correlationId = correlationIdFrom(req.headers['x-correlation-id'] ?? req.headers['x-request-id']);
      res.setHeader('X-Correlation-Id', correlationId);
      return runWithContext({ correlationId }, () => sendProblem(res, CommonErrors.routeNotFound(req.path), req.originalUrl));
    }
    next();
  });
  const portal = portalDir();
  if (portal) {
    // Hashed assets never change; index.html must be revalidated so a rebuild is picked up at once.
    const noCache = { 'cache-control': 'no-cache' };
    root.use(express.static(portal, { index: 'index.html', setHeaders: (res, file) => res.setHeader('cache-control', /[\\/]assets[\\/]/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache') }));
    // SPA fallback: page routes get index.html; a missing asset is a 404, not HTML parsed as a script.
    root.use((req, res) =>
      (req.method === 'GET' || req.method === 'HEAD') && !req.path.startsWith('/assets/')
        ? res.sendFile(join(portal, 'index.html'), { headers: noCache })
        : sendProblem(res, CommonErrors.routeNotFound(req.path), req.originalUrl),
    );
  } else {
    root.get('/', (_req, res) => res.type('html').send(LANDING));
    root.use((req, res) => sendProblem(res, CommonErrors.routeNotFound(req.path), req.originalUrl));
  }

  // API requests go straight to their service (its fast routes, then its express app): passing
  // them through the root app first set up express's request and response twice (a third of the
  // per-request CPU of a cheap open-api call). The root app serves the portal and answers unknown /api paths.
  const http = createServer((req, res) => {
    const service = serviceOfPath(req.url ?? '/');
    if (service) handlers.get(service)!(req, res);
    else root(req, res);
  });
  keepConnectionsLongerThanClients(http);
  await new Promise<void>((resolveListen, reject) => {
    http.once('error', reject);
    http.listen(opts.port, opts.host, () => resolveListen());
  });
  return {
    apps,
    http,
    close: async () => {
      await new Promise<void>((r) => http.close(() => r()));
      for (const app of Object.values(apps)) await app.close();
    },
  };
}
