import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A read route a service answers before its express router. For the busiest public endpoint (the
 * open records API) the router's walk over every layer and route of the service, and Nest's
 * handler plumbing, cost a fifth of a key lookup's CPU (bench/open-api/README.md). A fast route
 * still gets everything the app's own middleware gives a request (service scope, correlation id,
 * request context, access log line, HTTP metrics), express's request object (its prototype:
 * `req.ip` behind the trusted proxies, `req.query`, `req.header()`…), and problem+json errors
 * through the same function as the global filter.
 *
 * The response is node's own `ServerResponse`, not express's: swapping each response's prototype
 * for express's (as express's app.handle does) cost a key lookup about 30 % more CPU in the
 * benchmark (bench/open-api/README.md), in node's own HTTP code more than in express's. So the
 * app-level chain and the routes use node's response API only (`statusCode`, `setHeader`, `end`,
 * events).
 */
export interface FastRoute {
  /** Path under the service's route prefix with `:name` parameters, e.g. `v1/datasets/:id/records`. */
  readonly path: string;
  handle(req: Request, res: ServerResponse): Promise<void>;
}

/** A service module provides its fast routes (an array) under this token. */
export const FAST_ROUTES = Symbol('FAST_ROUTES');

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface CompiledRoute {
  route: FastRoute;
  /** The metrics label, as express would name the route: `/api/open/v1/datasets/:id/records`. */
  template: string;
  pattern: RegExp;
  names: string[];
}

function compile(prefix: string, route: FastRoute): CompiledRoute {
  const template = `/${prefix}/${route.path}`.replace(/\/+/g, '/');
  const names: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { route, template, pattern: new RegExp(`^${source}/?$`), names };
}

/** Express's decoding of a path parameter; undefined when it is not valid percent-encoding. */
function decodeParam(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * The service's HTTP handler: GET and HEAD requests matching a fast route are answered by it after
 * the app-level middleware `chain` (the very functions the express app runs first); everything
 * else goes to the express app unchanged. `onError` renders what a route throws.
 */
export function withFastRoutes(
  app: Express,
  prefix: string,
  routes: readonly FastRoute[],
  chain: readonly RequestHandler[],
  onError: (err: unknown, req: Request, res: ServerResponse) => void,
): HttpHandler {
  if (routes.length === 0) return app;
  const compiled = routes.map((r) => compile(prefix, r));

  const serve = (c: CompiledRoute, params: Record<string, string>, req: IncomingMessage, res: ServerResponse): void => {
    // What express's app.handle does to the request before its router (not to the response, see above).
    Object.setPrototypeOf(req, app.request);
    const request = req as Request;
    // The chain's functions are typed for express; they use node's part of the response only.
    const response = res as Response;
    request.originalUrl = request.url;
    request.params = params;
    (request as { route?: { path: string } }).route = { path: c.template };
    const run = (i: number): void => {
      if (i === chain.length) {
        c.route.handle(request, res).catch((err: unknown) => onError(err, request, res));
        return;
      }
      const next: NextFunction = (err?: unknown) => (err ? onError(err, request, res) : run(i + 1));
      try {
        chain[i](request, response, next);
      } catch (err) {
        onError(err, request, res);
      }
    };
    run(0);
  };

  return (req, res) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      for (const c of compiled) {
        const m = c.pattern.exec(path);
        if (!m) continue;
        const params: Record<string, string> = {};
        let valid = true;
        c.names.forEach((name, i) => {
          const value = decodeParam(m[i + 1]);
          if (value === undefined) valid = false;
          else params[name] = value;
        });
        // A parameter that is not valid percent-encoding gets express's own answer.
        if (valid) return serve(c, params, req, res);
        break;
      }
    }
    app(req, res);
  };
}
