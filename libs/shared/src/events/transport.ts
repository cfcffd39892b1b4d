import type { EventTransportKind } from '../config/service-env';

/** A raw record on a topic; the transport knows nothing of contracts. */
export interface TransportRecord {
  topic: string;
  key: string;
  /** JSON text of an EventEnvelope (or a dead letter). */
  value: string;
}

export interface Subscription {
  group: string;
  topics: string[];
  /**
   * Called once per record, in order per key. Resolving acknowledges the record; rejecting makes
   * the transport deliver it again later (at-least-once). New groups start from the beginning.
   */
  handle: (record: TransportRecord) => Promise<void>;
  /**
   * Optional: called with several records at once (in order) when the transport fetched them
   * together; resolving acknowledges them all, rejecting none. Transports without batches call
   * `handle` for each record.
   */
  handleBatch?: (records: TransportRecord[]) => Promise<void>;
}

/**
 * The event-transport port: in-process (embedded), Redis Streams (multi-process tests) and
 * Kafka (production) implement the same guarantees — durable append, consumer groups,
 * at-least-once delivery, order per key, replay from the beginning for a new group.
 */
export interface EventTransport {
  readonly kind: EventTransportKind;
  /** Resolves once the records are durably stored by the transport. */
  publish(records: TransportRecord[]): Promise<void>;
  subscribe(subscription: Subscription): Promise<void>;
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

export const EVENT_TRANSPORT = Symbol('EVENT_TRANSPORT');

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());
