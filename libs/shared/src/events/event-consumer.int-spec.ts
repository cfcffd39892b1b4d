import { DataSource } from 'typeorm';
import { Pool } from 'pg';
import { createTestDatabase, TestDatabase } from '../../../../test/test-database';
import { correlationId } from '../http/request-context';
import { DeadLetterService } from './dead-letters';
import { createEnvelope } from './envelope';
import { EventConsumer, EventHandlerFn } from './event-consumer';
import { messagingTablesUp } from './messaging-tables';
import { OutboxRelay, OutboxWriter } from './outbox';
import { InProcessTransport } from './transports/in-process.transport';
import { TransportRecord } from './transport';

/** Outbox, inbox, retries and dead letters against real PostgreSQL. */
let db: TestDatabase;
let ds: DataSource;
let pool: Pool;
let transport: InProcessTransport;

const dept = (n: number) => ({
  deptId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  name: `部门${n}`,
  creditCode: '91350100M000100Y43',
  regionCode: '420700',
  level: 'city' as const,
});

const recordOf = (n: number): TransportRecord => {
  const env = createEnvelope('org.department.registered', dept(n), { producer: 'catalog' });
  return { topic: env.name, key: env.key, value: JSON.stringify(env) };
};

beforeAll(async () => {
  db = await createTestDatabase('consumer');
  ds = new DataSource({ type: 'postgres', url: db.url });
  await ds.initialize();
  await ds.query('CREATE SCHEMA t');
  for (const sql of messagingTablesUp('t')) await ds.query(sql);
  await ds.query('CREATE TABLE t.effect (dept_id uuid, name text)');
  pool = new Pool({ connectionString: db.url, max: 4 });
  transport = new InProcessTransport(pool, { pollMs: 50 });
});

afterAll(async () => {
  await transport.close();
  await pool.end();
  await ds.destroy();
  await db.drop();
});

const effects = async () => Number((await ds.query('SELECT count(*) AS n FROM t.effect'))[0].n);

function consumerWith(handler: EventHandlerFn, group = 'g1') {
  return new EventConsumer(ds, 't', group, transport, new Map([['org.department.registered', handler]]), { backoffMs: 5, maxAttempts: 3 });
}

const insertEffect: EventHandlerFn = async (payload, ctx) => {
  const p = payload as { deptId: string; name: string };
  await ctx.manager.query('INSERT INTO t.effect VALUES ($1, $2)', [p.deptId, p.name]);
};

beforeEach(async () => {
  await ds.query('TRUNCATE t.effect, t.inbox, t.dead_letter, t.outbox');
});

it('a redelivered event has no second effect (inbox)', async () => {
  const consumer = consumerWith(insertEffect);
  const rec = recordOf(1);
  await consumer.handleRecord(rec);
  await consumer.handleRecord(rec);
  await consumer.handleRecord(rec);
  expect(await effects()).toBe(1);
});

it('rolls back the effect of a failed attempt and retries until it succeeds', async () => {
  let calls = 0;
  const consumer = consumerWith(async (payload, ctx) => {
    calls++;
    await insertEffect(payload, ctx);
    if (calls < 3) throw new Error('transient failure after writing');
  });
  await consumer.handleRecord(recordOf(2));
  expect(calls).toBe(3);
  expect(await effects()).toBe(1);
  expect(await ds.query('SELECT * FROM t.dead_letter')).toHaveLength(0);
});

it('dead-letters an event that keeps failing, then replays it once the cause is fixed', async () => {
  let broken = true;
  const consumer = consumerWith(async (payload, ctx) => {
    if (broken) throw new Error('downstream unavailable');
    await insertEffect(payload, ctx);
  });
  await consumer.handleRecord(recordOf(3));
  const dead = new DeadLetterService(ds, 't', () => consumer);
  const [letter] = await dead.list();
  expect(letter).toMatchObject({ groupId: 'g1', eventName: 'org.department.registered', attempts: 3, replayedAt: null });
  expect(letter.error).toContain('downstream unavailable');
  expect(await effects()).toBe(0);

  broken = false;
  await expect(dead.replay(letter.id)).resolves.toEqual({ replayed: true });
  await expect(dead.replay(letter.id)).resolves.toEqual({ replayed: true });
  expect(await effects()).toBe(1);
  expect((await dead.list({ pendingOnly: true })).length).toBe(0);
});

it('sends a poison record (unknown event, invalid payload, not JSON) straight to dead letters', async () => {
  const consumer = consumerWith(insertEffect);
  const good = JSON.parse(recordOf(4).value);
  await consumer.handleRecord({ topic: 'org.department.registered', key: 'k', value: '{not json' });
  await consumer.handleRecord({ topic: 'x', key: 'k', value: JSON.stringify({ ...good, name: 'no.such.event' }) });
  await consumer.handleRecord({ topic: 'org.department.registered', key: 'k', value: JSON.stringify({ ...good, payload: { ...good.payload, creditCode: 'short' } }) });
  const letters = await ds.query('SELECT error, attempts FROM t.dead_letter ORDER BY failed_at');
  expect(letters).toHaveLength(3);
  expect(letters.every((l: { attempts: number }) => l.attempts === 0)).toBe(true);
  expect(letters[1].error).toContain('unknown event');
  expect(letters[2].error).toContain('creditCode');
  expect(await effects()).toBe(0);
});

describe('batches', () => {
  const seen = async () => (await ds.query('SELECT name FROM t.effect ORDER BY name')).map((r: { name: string }) => r.name);

  it('processes a batch in order in one transaction, each handler in its own event context, once even when an event repeats', async () => {
    const contexts: string[] = [];
    const consumer = consumerWith(async (payload, ctx) => {
      expect(correlationId()).toBe(ctx.envelope.id);
      contexts.push(ctx.envelope.id);
      await insertEffect(payload, ctx);
    });
    const records = [recordOf(20), recordOf(21), recordOf(22)];
    await consumer.handleBatch([...records, records[1]]);
    expect(await seen()).toEqual(['部门20', '部门21', '部门22']);
    expect(contexts).toEqual(records.map((r) => JSON.parse(r.value).id));
    await consumer.handleBatch(records);
    expect(await effects()).toBe(3);
    expect(Number((await ds.query(`SELECT count(*) AS n FROM t.inbox WHERE group_id = 'g1'`))[0].n)).toBe(3);
  });

  it('gathers rows handlers add to the transaction batch into one write before the commit, in order; one by one, one write per event', async () => {
    const writes: string[][] = [];
    const gathered: EventHandlerFn = async (payload, ctx) => {
      const p = payload as { deptId: string; name: string };
      ctx.batch.add('effects', p, async (m, items: (typeof p)[]) => {
        writes.push(items.map((i) => i.name));
        await m.query('INSERT INTO t.effect SELECT * FROM unnest($1::uuid[], $2::text[])', [items.map((i) => i.deptId), items.map((i) => i.name)]);
      });
    };
    await consumerWith(gathered).handleBatch([recordOf(50), recordOf(51), recordOf(52)]);
    expect(writes).toEqual([['部门50', '部门51', '部门52']]);
    await consumerWith(gathered).handleRecord(recordOf(53));
    expect(writes[1]).toEqual(['部门53']);
    expect(await seen()).toEqual(['部门50', '部门51', '部门52', '部门53']);
    // A failing write rolls the batch back with its inbox rows: the one-by-one path then retries each.
    let fail = true;
    const failing: EventHandlerFn = async (payload, ctx) => {
      await gathered(payload, ctx);
      ctx.batch.add('failing', 1, async () => {
        if (fail) {
          fail = false;
          throw new Error('write failed once');
        }
      });
    };
    await consumerWith(failing).handleBatch([recordOf(54), recordOf(55)]);
    expect(await seen()).toEqual(['部门50', '部门51', '部门52', '部门53', '部门54', '部门55']);
  });

  it('falls back to one by one when a handler fails: the others take effect, the failing one is retried then dead-lettered', async () => {
    const consumer = consumerWith(async (payload, ctx) => {
      if ((payload as { name: string }).name === '部门31') throw new Error('this one is broken');
      await insertEffect(payload, ctx);
    });
    await consumer.handleBatch([recordOf(30), recordOf(31), recordOf(32)]);
    expect(await seen()).toEqual(['部门30', '部门32']);
    const letters = await ds.query('SELECT event_name, attempts, error FROM t.dead_letter');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ event_name: 'org.department.registered', attempts: 3 });
    expect(letters[0].error).toContain('this one is broken');
  });

  it('falls back to one by one for a poison record: it is dead-lettered, the rest processed', async () => {
    const consumer = consumerWith(insertEffect);
    await consumer.handleBatch([recordOf(40), { topic: 'org.department.registered', key: 'k', value: '{not json' }, recordOf(41)]);
    expect(await seen()).toEqual(['部门40', '部门41']);
    expect(await ds.query('SELECT attempts FROM t.dead_letter')).toEqual([{ attempts: 0 }]);
  });

  it('the in-process transport hands a backlog over as batches and commits past it', async () => {
    const own = new InProcessTransport(pool, { pollMs: 50 });
    const sizes: number[] = [];
    try {
      await own.publish(Array.from({ length: 30 }, (_, i) => recordOf(100 + i)));
      const consumer = new EventConsumer(ds, 't', 'g-batch', own, new Map([['org.department.registered', insertEffect]]), { backoffMs: 5, maxAttempts: 3 });
      const original = consumer.handleBatch.bind(consumer);
      consumer.handleBatch = async (rs) => {
        sizes.push(rs.length);
        await original(rs);
      };
      await consumer.start();
      const deadline = Date.now() + 10_000;
      while ((await effects()) < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await effects()).toBe(30);
      expect(Math.max(...sizes)).toBeGreaterThan(1);
      const offsets = async () => (await pool.query(`SELECT (SELECT max(committed) FROM eventbus.group_offset WHERE group_id = 'g-batch') = (SELECT max(record_offset) FROM eventbus.log WHERE topic = 'org.department.registered') AS caught_up`)).rows[0].caught_up;
      while (!(await offsets()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(await offsets()).toBe(true);
    } finally {
      await own.close();
    }
  });
});

it('outbox rows exist only if the transaction committed, and the relay publishes them in order', async () => {
  const writer = new OutboxWriter('t', 'catalog');
  await ds.transaction(async (m) => {
    await writer.add(m, 'org.department.registered', dept(10));
    await writer.add(m, 'org.department.registered', dept(11));
  });
  await ds
    .transaction(async (m) => {
      await writer.add(m, 'org.department.registered', dept(12));
      throw new Error('business rule failed');
    })
    .catch(() => undefined);
  expect((await ds.query('SELECT count(*) AS n FROM t.outbox'))[0].n).toBe('2');

  const relay = new OutboxRelay(ds, 't', transport);
  await expect(relay.flush()).resolves.toBe(2);
  await expect(relay.flush()).resolves.toBe(0);
  const published = await pool.query(`SELECT value->'payload'->>'name' AS name FROM eventbus.log WHERE value->'payload'->>'name' IN ('部门10','部门11','部门12') ORDER BY record_offset`);
  expect(published.rows.map((r) => r.name)).toEqual(['部门10', '部门11']);
});

it('the relay publishes as soon as a writing transaction commits, not at its next poll; a rolled-back write wakes nothing', async () => {
  await transport.publish([{ topic: 'test.warmup', key: 'k', value: '{}' }]); // the log table exists
  const relay = new OutboxRelay(ds, 't', transport, { pollMs: 60_000 });
  const writer = new OutboxWriter('t', 'catalog', () => relay.nudge());
  relay.nudgeOnCommit();
  relay.start();
  const publishedNames = async () =>
    (await pool.query(`SELECT value->'payload'->>'name' AS name FROM eventbus.log WHERE value->'payload'->>'name' LIKE '部门2__' ORDER BY record_offset`)).rows.map((r) => r.name);
  const until = async (names: string[]) => {
    for (let i = 0; i < 100 && (await publishedNames()).length < names.length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await publishedNames()).toEqual(names);
  };
  try {
    // The relay's first look found nothing; it now sleeps for a minute unless told.
    await new Promise((r) => setTimeout(r, 100));
    await ds.transaction(async (m) => {
      await writer.add(m, 'org.department.registered', dept(201));
      // Inside the transaction nothing is announced yet (the row is not visible to the relay).
      await new Promise((r) => setTimeout(r, 100));
      expect(await publishedNames()).toEqual([]);
    });
    await until(['部门201']);
    // Outside a transaction the statement commits by itself: announced at once.
    await writer.add(ds.manager, 'org.department.registered', dept(202));
    await until(['部门201', '部门202']);
    await ds
      .transaction(async (m) => {
        await writer.add(m, 'org.department.registered', dept(203));
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    expect(await publishedNames()).toEqual(['部门201', '部门202']);
  } finally {
    await relay.stop();
  }
});
