import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { isEventName } from './contracts/event-catalog';
import { EventConsumer, EventContext, EventHandlerFn } from './event-consumer';

/**
 * Bridges Nest's `@EventPattern('catalog.entry.published')` handlers to the platform's
 * EventConsumer, whatever the transport underneath. Handlers receive `(@Payload() payload,
 * @Ctx() ctx: EventContext)`; they stay thin and call one service method.
 */
export class EventServer extends Server implements CustomTransportStrategy {
  private consumer?: EventConsumer;

  constructor(private readonly createConsumer: (handlers: Map<string, EventHandlerFn>) => EventConsumer) {
    super();
  }

  get activeConsumer(): EventConsumer | undefined {
    return this.consumer;
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    const handlers = new Map<string, EventHandlerFn>();
    for (const [pattern, handler] of this.messageHandlers) {
      if (!isEventName(pattern)) throw new Error(`@EventPattern('${pattern}') is not in EVENT_CATALOG`);
      handlers.set(pattern, async (payload: unknown, ctx: EventContext) => lastValueFrom(this.transformToObservable(await handler(payload, ctx)), { defaultValue: undefined }));
    }
    this.consumer = this.createConsumer(handlers);
    this.consumer.start().then(() => callback(), (err) => callback(err));
  }

  close(): void {
    // The transport is shared and closed by whoever created it.
  }

  on(): void {
    throw new Error('EventServer does not emit status events');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }
}
