import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NextFunction, Request, Response } from 'express';
import type { ConsumerMetrics } from '../events/event-consumer';
import type { OutboxRelayMetrics } from '../events/outbox';

/** One Prometheus registry per service, even when five services share a process. */
export class ServiceMetrics implements ConsumerMetrics, OutboxRelayMetrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly eventsPublished: Counter;
  private readonly eventsConsumed: Counter<'event' | 'outcome'>;

  constructor(service: string, opts: { processMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ service });
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.eventsPublished = new Counter({ name: 'events_published_total', help: 'Outbox events published', registers: [this.registry] });
    this.eventsConsumed = new Counter({ name: 'events_consumed_total', help: 'Events consumed by outcome', labelNames: ['event', 'outcome'], registers: [this.registry] });
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.labels(method, route, String(status)).observe(seconds);
  }

  published(count: number): void {
    this.eventsPublished.inc(count);
  }

  consumed(event: string, outcome: 'processed' | 'duplicate' | 'dead_lettered' | 'retried'): void {
    this.eventsConsumed.labels(event, outcome).inc();
  }
}

/**
 * Times every HTTP request of a service by route template (`unknown` when no route matched), from
 * the first middleware to the last byte. A middleware rather than a Nest interceptor: the rxjs
 * pipe per request cost more than the histogram itself.
 */
export function httpMetricsMiddleware(metrics: ServiceMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unknown';
      metrics.observeHttp(req.method, route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
