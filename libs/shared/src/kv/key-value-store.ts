import Redis from 'ioredis';

/**
 * Cache and rate-limit store port: Redis in production, memory in embedded mode.
 * `increment` is a fixed-window counter: the first call in a window sets its expiry.
 */
export interface KeyValueStore {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  increment(key: string, windowMs: number): Promise<{ count: number; resetInMs: number }>;
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

export const KEY_VALUE_STORE = Symbol('KEY_VALUE_STORE');

export class MemoryKeyValueStore implements KeyValueStore {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, { value: string; expiresAt?: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string) {
    const e = this.entries.get(key);
    if (e?.expiresAt !== undefined && e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  async get(key: string) {
    return this.live(key)?.value;
  }

  async set(key: string, value: string, ttlMs?: number) {
    this.entries.set(key, { value, expiresAt: ttlMs ? this.now() + ttlMs : undefined });
  }

  async delete(key: string) {
    this.entries.delete(key);
  }

  async increment(key: string, windowMs: number) {
    const e = this.live(key);
    if (!e) {
      const expiresAt = this.now() + windowMs;
      this.entries.set(key, { value: '1', expiresAt });
      return { count: 1, resetInMs: windowMs };
    }
    e.value = String(Number(e.value) + 1);
    return { count: Number(e.value), resetInMs: Math.max(0, (e.expiresAt ?? this.now()) - this.now()) };
  }

  async healthy() {
    return true;
  }

  async close() {
    this.entries.clear();
  }
}

export class RedisKeyValueStore implements KeyValueStore {
  readonly kind = 'redis' as const;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'kv:',
  ) {}

  async get(key: string) {
    return (await this.redis.get(this.prefix + key)) ?? undefined;
  }

  async set(key: string, value: string, ttlMs?: number) {
    if (ttlMs) await this.redis.set(this.prefix + key, value, 'PX', ttlMs);
    else await this.redis.set(this.prefix + key, value);
  }

  async delete(key: string) {
    await this.redis.del(this.prefix + key);
  }

  async increment(key: string, windowMs: number) {
    const k = this.prefix + key;
    // SET NX PX then INCR in one round trip keeps the window atomic across replicas.
    const [, incr, pttl] = (await this.redis.multi().set(k, '0', 'PX', windowMs, 'NX').incr(k).pttl(k).exec()) ?? [];
    return { count: Number(incr?.[1] ?? 0), resetInMs: Math.max(0, Number(pttl?.[1] ?? windowMs)) };
  }

  async healthy() {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close() {
    // The connection belongs to the runtime that created it.
  }
}
