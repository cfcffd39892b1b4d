import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A read route a service answers before its express router. For the busiest public endpoint (the
 * open records API) the router's walk over every layer and route of the service, and Nest's
 * handler plumbing, cost a fifth of a key lookup's CPU (bench/open-api/README.md). A fast route
 * still gets everything the app's own middleware gives a request (service scope, correlation id,
 * request context, access log line, HTTP metrics), what express gives a request that the route
 * needs (`ip` behind the trusted proxies, `query`, `header()`, computed by express's own code),
 * and problem+json errors through the same function as the global filter.
 *
 * The request and the response stay node's own objects. Express's app.handle swaps the prototype
 * of each for its own; in the benchmark that cost a key lookup about 30 % more CPU for the
 * response and 12–15 % for the request (bench/open-api/README.md), most of it in node's own HTTP
 * code, which then meets objects of several shapes. So the app-level chain and the routes use
 * node's API plus the members of `FastRequest`, nothing else of express's.
 */
export interface FastRoute {
  /** Path under the service's route prefix with `:name` parameters, e.g. `v1/datasets/:id/records`. */
  readonly path: string;
  handle(req: FastRequest, res: ServerResponse): Promise<void>;
}

/** A fast route's request: node's, with the members of express's request the routes and the chain use. */
export interface FastRequest extends IncomingMessage {
  url: string;
  /** As express's `req.ip`: the client's address behind the app's trusted proxies. */
  ip: string | undefined;
  /** As express's `req.query`: the query string through the app's query parser. */
  query: Record<string, unknown>;
  /** As express's `req.header()`: a request header by case-insensitive name. */
  header(name: string): string | undefined;
  params: Record<string, string>;
  originalUrl: string;
  /** The route template, for the metrics label. */
  route: { path: string };
  correlationId?: string;
}

/** A member of express's request prototype (defined on its base object, below the app's). */
function expressMember(app: Express, name: string): PropertyDescriptor {
  for (let o: object | null = app.request; o; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d) return d;
  }
  throw new Error(`express's request has no ${name}`);
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
  onError: (err: unknown, req: FastRequest, res: ServerResponse) => void,
): HttpHandler {
  if (routes.length === 0) return app;
  const compiled = routes.map((r) => compile(prefix, r));
  // Express's own getters and method, called on node's request, so the answers are express's.
  const ipOf = expressMember(app, 'ip').get!;
  const queryOf = expressMember(app, 'query').get!;
  const header = expressMember(app, 'header').value as FastRequest['header'];

  const serve = (c: CompiledRoute, params: Record<string, string>, req: IncomingMessage, res: ServerResponse): void => {
    const request = req as FastRequest;
    // express's getters read the app's settings through `this.app`.
    (request as { app?: Express }).app = app;
    request.ip = ipOf.call(request) as string | undefined;
    request.query = queryOf.call(request) as Record<string, unknown>;
    request.header = header;
    request.originalUrl = request.url;
    request.params = params;
    request.route = { path: c.template };
    // The chain's functions are typed for express; they use FastRequest's members and node's response.
    const expressRequest = request as unknown as Request;
    const response = res as Response;
    const run = (i: number): void => {
      if (i === chain.length) {
        c.route.handle(request, res).catch((err: unknown) => onError(err, request, res));
        return;
      }
      const next: NextFunction = (err?: unknown) => (err ? onError(err, request, res) : run(i + 1));
      try {
        chain[i](expressRequest, response, next);
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
