import { DynamicModule, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { DataSource } from 'typeorm';
import { respondWithProblem, sendProblem, toDomainException } from '../errors/problem-details.filter';
import { FAST_ROUTES, FastRoute, HttpHandler, withFastRoutes } from '../http/fast-routes';
import { SERVICE_NAMES, SERVICES, ServiceName } from '../events/contracts/services';
import { requestContextMiddleware } from '../http/request-context.middleware';
import { migrateServiceSchema } from '../db/data-source';
import { PinoNestLogger } from '../observability/logger';
import { runAsService } from '../observability/service-scope';
import { httpMetricsMiddleware, ServiceMetrics } from '../observability/metrics';
import { EventPlumbing } from './platform.module';
import type { ServiceRuntime } from './service-runtime';

const TITLES: Record<ServiceName, string> = {
  catalog: '目录服务 Catalog',
  ingest: '归集服务 Ingest',
  sharing: '共享服务 Sharing',
  'open-api': '开放服务 Open API',
  audit: '审计服务 Audit',
};

export function routePrefixOf(service: ServiceName): string {
  return `api/${SERVICES[service].routePrefix}`;
}

export interface ServiceAppOptions {
  migrate: boolean;
  /** Serve the combined API docs of all five services at /api/docs (one service does it). */
  combinedDocs?: boolean;
}

/**
 * Builds one service's Nest application the same way in both modes: middleware order, body
 * limits, problem+json for parser errors, global prefix, OpenAPI docs, migrations, then the
 * event consumer and outbox relay. The caller decides whether to listen or to mount it.
 */
export function createServiceApp(rootModule: DynamicModule, service: ServiceName, runtime: ServiceRuntime, opts: ServiceAppOptions): Promise<NestExpressApplication> {
  // Everything the service starts while booting (timers, consumers, the outbox relay) keeps its scope.
  return runAsService(service, () => buildServiceApp(rootModule, service, runtime, opts));
}

async function buildServiceApp(rootModule: DynamicModule, service: ServiceName, runtime: ServiceRuntime, opts: ServiceAppOptions): Promise<NestExpressApplication> {
  // The process logger names the service: bound in distributed mode, from the scope in embedded mode.
  const logger = runtime.logger;
  const app = await NestFactory.create<NestExpressApplication>(rootModule, new ExpressAdapter(express()), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  const prefix = routePrefixOf(service);
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  // What every request gets first, fast routes included (see fast-routes.ts).
  const requestChain: RequestHandler[] = [
    // One process, five services: a request runs in its service's scope (see service-scope.ts).
    ...(runtime.mode === 'embedded' ? [(_req: Request, _res: Response, next: NextFunction) => runAsService(service, next)] : []),
    requestContextMiddleware(logger),
    httpMetricsMiddleware(app.get(ServiceMetrics)),
  ];
  for (const middleware of requestChain) app.use(middleware);
  app.use(express.json({ limit: runtime.settings.bodyLimit, type: ['application/json', 'application/*+json'] }));
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!err) return next();
    sendProblem(res, toDomainException(err, req.originalUrl, runtime.settings.bodyLimit), req.originalUrl);
  });
  app.setGlobalPrefix(prefix);

  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(TITLES[service])
      .setDescription('政务数据共享交换平台 / government data sharing and open data platform. Errors are RFC 7807 application/problem+json.')
      .setVersion('1')
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
      .build(),
  );
  SwaggerModule.setup(`${prefix}/docs`, app, doc, { jsonDocumentUrl: `${prefix}/docs-json` });
  if (opts.combinedDocs)
    SwaggerModule.setup('api/docs', app, doc, {
      explorer: true,
      swaggerOptions: { urls: SERVICE_NAMES.map((s) => ({ url: `/${routePrefixOf(s)}/docs-json`, name: TITLES[s] })) },
      customSiteTitle: '政务数据共享交换平台 API',
    });

  if (opts.migrate) await migrateServiceSchema(app.get(DataSource), SERVICES[service].schema);
  const plumbing = app.get(EventPlumbing);
  app.connectMicroservice({ strategy: plumbing.createServer() }, { inheritAppConfig: true });
  await app.init();
  await app.startAllMicroservices();
  plumbing.startRelay();
  serveFastRoutes(app, prefix, requestChain, runtime.settings.bodyLimit);
  return app;
}

const handlers = new WeakMap<NestExpressApplication, HttpHandler>();

/** The service's HTTP handler (its fast routes, then the express app), for a listener of one's own. */
export function httpHandlerOf(app: NestExpressApplication): HttpHandler {
  return handlers.get(app) ?? (app.getHttpAdapter().getInstance() as Express);
}

/** Puts the service's fast routes in front of its express app, on Nest's own server as well. */
function serveFastRoutes(app: NestExpressApplication, prefix: string, chain: RequestHandler[], bodyLimit: string): void {
  const routes = optionalProvider<FastRoute[]>(app, FAST_ROUTES) ?? [];
  const express = app.getHttpAdapter().getInstance() as Express;
  const logger = new Logger('ProblemDetails');
  const handler = withFastRoutes(express, prefix, routes, chain, (err, req, res) => respondWithProblem(res, err, req.originalUrl, bodyLimit, logger));
  handlers.set(app, handler);
  if (handler === express) return;
  const server = app.getHttpServer();
  server.removeListener('request', express);
  server.on('request', handler);
}

/** A provider the module may or may not declare (Nest's get() throws for an unknown token). */
function optionalProvider<T>(app: NestExpressApplication, token: symbol): T | undefined {
  try {
    return app.get<T>(token, { strict: false });
  } catch {
    return undefined;
  }
}
