import { DynamicModule, Global, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, EntitySchema, MixedList } from 'typeorm';
import { AuthGuard } from '../auth/auth.guard';
import { TokenService } from '../auth/token.service';
import { serviceDataSourceOptions } from '../db/data-source';
import { ProblemDetailsFilter } from '../errors/problem-details.filter';
import { createValidationPipe } from '../errors/validation';
import { SERVICES, ServiceName } from '../events/contracts/services';
import { DeadLetterService } from '../events/dead-letters';
import { EventConsumer, EventHandlerFn } from '../events/event-consumer';
import { EventServer } from '../events/event-server';
import { OutboxRelay, OutboxWriter } from '../events/outbox';
import { EVENT_TRANSPORT } from '../events/transport';
import { KEY_VALUE_STORE } from '../kv/key-value-store';
import { ServiceMetrics } from '../observability/metrics';
import { OBJECT_STORAGE } from '../storage/object-storage';
import { DeadLetterController, HealthController, MetricsController } from './platform.controllers';
import { SERVICE_NAME, SERVICE_RUNTIME, ServiceRuntime } from './service-runtime';

/**
 * Owns the service's event plumbing: the outbox relay and the consumer (through EventServer).
 * The entry point calls `start()` after migrations so nothing runs on an outdated schema.
 */
@Injectable()
export class EventPlumbing implements OnApplicationShutdown {
  readonly relay: OutboxRelay;
  private server?: EventServer;

  constructor(
    private readonly dataSource: DataSource,
    private readonly runtime: ServiceRuntime,
    private readonly service: ServiceName,
    private readonly metrics: ServiceMetrics,
  ) {
    this.relay = new OutboxRelay(dataSource, SERVICES[service].schema, runtime.transport, {
      pollMs: runtime.settings.outboxPollMs,
      startDelayMs: runtime.settings.outboxStartDelayMs,
      metrics,
    });
    this.relay.nudgeOnCommit();
  }

  /** The Nest microservice strategy that feeds @EventPattern handlers of this service. */
  createServer(): EventServer {
    this.server = new EventServer(
      (handlers: Map<string, EventHandlerFn>) =>
        new EventConsumer(this.dataSource, SERVICES[this.service].schema, this.service, this.runtime.transport, handlers, {
          backoffMs: this.runtime.settings.consumerBackoffMs,
          maxAttempts: this.runtime.settings.consumerMaxAttempts,
          metrics: this.metrics,
        }),
    );
    return this.server;
  }

  get consumer(): EventConsumer | undefined {
    return this.server?.activeConsumer;
  }

  startRelay(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
  }
}

export interface PlatformModuleOptions {
  service: ServiceName;
  runtime: ServiceRuntime;
  entities: MixedList<Function | string | EntitySchema>;
  migrations: MixedList<Function | string>;
}

/**
 * Everything a service needs from the platform, wired once: database (its schema), outbox,
 * consumer plumbing, auth guard, problem+json filter, validation, metrics, health, dead letters.
 */
@Global()
@Module({})
export class PlatformModule {
  static forService(o: PlatformModuleOptions): DynamicModule {
    const schema = SERVICES[o.service].schema;
    return {
      module: PlatformModule,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        TypeOrmModule.forRoot(
          serviceDataSourceOptions({ url: o.runtime.databaseUrl, schema, entities: o.entities, migrations: o.migrations, poolSize: o.runtime.settings.dbPoolSize }),
        ),
      ],
      controllers: [HealthController, MetricsController, DeadLetterController],
      providers: [
        { provide: SERVICE_RUNTIME, useValue: o.runtime },
        { provide: SERVICE_NAME, useValue: o.service },
        { provide: EVENT_TRANSPORT, useValue: o.runtime.transport },
        { provide: OBJECT_STORAGE, useValue: o.runtime.objectStorage },
        { provide: KEY_VALUE_STORE, useValue: o.runtime.keyValue },
        { provide: ServiceMetrics, useFactory: () => new ServiceMetrics(o.service) },
        { provide: TokenService, useFactory: () => new TokenService(o.runtime.settings.jwtSecret) },
        { provide: OutboxWriter, inject: [EventPlumbing], useFactory: (plumbing: EventPlumbing) => new OutboxWriter(schema, o.service, () => plumbing.relay.nudge()) },
        {
          provide: EventPlumbing,
          inject: [DataSource, ServiceMetrics],
          useFactory: (ds: DataSource, metrics: ServiceMetrics) => new EventPlumbing(ds, o.runtime, o.service, metrics),
        },
        {
          provide: DeadLetterService,
          inject: [DataSource, EventPlumbing],
          useFactory: (ds: DataSource, plumbing: EventPlumbing) => new DeadLetterService(ds, schema, () => plumbing.consumer),
        },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useFactory: () => new ProblemDetailsFilter(o.runtime.settings.bodyLimit) },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [SERVICE_RUNTIME, SERVICE_NAME, EVENT_TRANSPORT, OBJECT_STORAGE, KEY_VALUE_STORE, ServiceMetrics, TokenService, OutboxWriter, EventPlumbing, DeadLetterService],
    };
  }
}
