import { AuditLogRecord, encodeRecord } from '@gov/shared';
import { buildRecord } from '../records/audit-record.builder';
import { CHECKED_COLUMNS, columnsMatch, RowView } from './column-check';
import { CopyType, encodeCopyRows } from './copy-binary';

const TYPES: CopyType[] = ['uuid', 'text', 'text', 'timestamptz', 'timestamptz', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'bigint', 'boolean'];

/** The columns the sequencer stores for a record, as in recordColumns(). */
function columnsOf(r: AuditLogRecord): unknown[] {
  return [
    r.eventId, r.eventName, r.producer, r.occurredAt, r.recordedAt, r.correlationId, r.actor?.type ?? null, r.actor?.id ?? null, r.actor?.deptId ?? null,
    r.object.type, r.object.id, r.refs.datasetId, r.refs.entryId, r.refs.grantId, r.refs.appId, r.refs.requestId, r.refs.providerDeptId, r.refs.consumerDeptId,
    r.outcome, r.rowCount, r.personalData,
  ];
}

/** One binary COPY row of the columns, located the way the verifier's reader locates them. */
function rowOf(values: unknown[]): RowView {
  const buf = encodeCopyRows(TYPES, values.map((v) => [v]));
  const row: RowView = { buf, bodyLen: 0, start: new Int32Array(CHECKED_COLUMNS.length), len: new Int32Array(CHECKED_COLUMNS.length) };
  let p = 2;
  for (let c = 0; c < CHECKED_COLUMNS.length; c++) {
    const n = buf.readInt32BE(p);
    row.start[c] = p + 4;
    row.len[c] = n;
    p += 4 + Math.max(n, 0);
  }
  return row;
}

const event = (over: Record<string, unknown> = {}) =>
  ({
    id: '3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e5f',
    name: 'sharing.data.accessed',
    version: 1,
    key: 'grant-1',
    occurredAt: '2026-03-01T02:03:04.005Z',
    producer: 'sharing',
    correlationId: 'corr-1',
    actor: { type: 'user', id: 'u-1', name: '张三 "经办"', deptId: 'd-1', ip: '10.0.0.1' },
    payload: { grantId: 'grant-1', datasetId: 'ds-1', consumerDeptId: 'd-1', providerDeptId: 'd-2', fields: ['企业名称', 'a"b'], rowCount: 12, personalData: true, note: '{"seq":1,"v":1}', nested: { actor: { id: 'x' } } },
    ...over,
  }) as any;

const check = (r: AuditLogRecord, values = columnsOf(r)) => {
  const body = encodeRecord(r);
  return columnsMatch(body, 0, body.length, r.seq, rowOf(values));
};

describe('search columns against the signed bytes', () => {
  it('accepts the columns of records of every shape the builder makes', () => {
    const records = [
      buildRecord(event(), 7, new Date('2026-03-01T02:03:05Z')),
      buildRecord(event({ actor: undefined, correlationId: undefined, name: 'catalog.entry.published', payload: {} }), 0, new Date()),
      buildRecord(event({ actor: { type: 'app', id: 'app-\\1\n' }, payload: { appId: 'app-\\1\n', outcome: 'denied', fields: [] } }), 123_456_789, new Date()),
      buildRecord(event({ key: 'weird "key"\t', payload: { requestId: 'r-1', version: 3.5, rows: 2 } }), 42, new Date()),
    ];
    for (const r of records) expect(check(r)).toBe(true);
  });

  it('names any column that says something else', () => {
    const r = buildRecord(event(), 7, new Date('2026-03-01T02:03:05Z'));
    CHECKED_COLUMNS.forEach((name, i) => {
      const values = columnsOf(r);
      const v = values[i];
      values[i] =
        name === 'event_id' ? '3f1c2b9e-8d7a-4c6b-9e5f-0a1b2c3d4e50'
        : name === 'occurred_at' || name === 'recorded_at' ? new Date(Date.parse(v as string) + 1)
        : name === 'row_count' ? 13
        : name === 'personal_data' ? false
        : `${v as string}x`;
      expect([name, check(r, values)]).toEqual([name, false]);
    });
    // A column set to NULL; the right columns under another seq.
    const nulled = columnsOf(r);
    nulled[CHECKED_COLUMNS.indexOf('actor_id')] = null;
    expect(check(r, nulled)).toBe(false);
    const body = encodeRecord(r);
    expect(columnsMatch(body, 0, body.length, 8, rowOf(columnsOf(r)))).toBe(false);
  });
});
