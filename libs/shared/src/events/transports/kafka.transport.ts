import { Admin, Consumer, Kafka, logLevel, Producer } from 'kafkajs';
import { EventTransport, Subscription, TransportRecord } from '../transport';

/**
 * Production transport (kafkajs). Topics are event names, the record key is the event's
 * partition key, so order per key follows from Kafka's per-partition order. Offsets are
 * committed by kafkajs only after `eachMessage` resolved; a rejection is retried by kafkajs
 * and, past its retries, the consumer restarts from the last committed offset.
 */
export class KafkaTransport implements EventTransport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer?: Producer;
  private admin?: Admin;
  private readonly consumers: Consumer[] = [];

  constructor(
    brokers: string[],
    private readonly opts: { clientId?: string; partitions?: number; replicationFactor?: number } = {},
  ) {
    this.kafka = new Kafka({ clientId: opts.clientId ?? 'govdata', brokers, logLevel: logLevel.WARN, retry: { retries: 8 } });
  }

  private async getProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  private async ensureTopics(topics: string[]): Promise<void> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length)
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: this.opts.partitions ?? 3, replicationFactor: this.opts.replicationFactor ?? 1 })),
      });
  }

  async publish(records: TransportRecord[]): Promise<void> {
    if (!records.length) return;
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), { key: r.key, value: r.value }]);
    await this.ensureTopics([...byTopic.keys()]);
    const producer = await this.getProducer();
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
  }

  async subscribe(sub: Subscription): Promise<void> {
    await this.ensureTopics(sub.topics);
    const consumer = this.kafka.consumer({ groupId: sub.group, allowAutoTopicCreation: true });
    await consumer.connect();
    await consumer.subscribe({ topics: sub.topics, fromBeginning: true });
    this.consumers.push(consumer);
    await consumer.run({
      autoCommit: true,
      eachMessage: async ({ topic, message }) => {
        await sub.handle({ topic, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
      },
    });
  }

  async healthy(): Promise<boolean> {
    try {
      if (!this.admin) {
        this.admin = this.kafka.admin();
        await this.admin.connect();
      }
      await this.admin.describeCluster();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.disconnect()));
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
