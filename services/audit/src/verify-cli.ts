import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileSystemObjectStorage, MinioObjectStorage, ObjectStorage, parseSigningKey, publicKeyPem, SegmentManifest, verifySegment, VerifyReport } from '@gov/shared';
import { Pool } from 'pg';
import { LogVerification, verifyStoredLog } from './log/log-verification';

const USAGE = `审计日志核验 / verify the audit log (npm run audit:verify -- [options])

  --data-dir DIR        embedded mode: database, objects and key from DIR (default ./.data; the platform must be running)
  --database-url URL    PostgreSQL of the audit schema (default DATABASE_URL)
  --objects DIR         object storage on disk (default OBJECT_DIR; S3_ENDPOINT etc. for MinIO)
  --public-key KEY      PEM file or text, or base64; default AUDIT_PUBLIC_KEY, else derived from AUDIT_SIGNING_KEY
  --segment FILE --manifest FILE   check one exported segment alone (no database)
  --json                print the report as JSON
Exit code: 0 verified, 1 problems found, 2 usage or connection error.`;

function args(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out[a.slice(2)] = next;
      i++;
    } else out[a.slice(2)] = true;
  }
  return out;
}

function readKey(value: string): string {
  return existsSync(value) ? readFileSync(value, 'utf8') : value;
}

function print(report: VerifyReport & Partial<LogVerification>, json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return;
  }
  const lines = [
    report.ok ? '✔ 审计日志完整 / audit log verified' : '✘ 审计日志被改动 / the audit log was tampered with',
    `  records 记录: ${report.recordsChecked}${report.segmentsChecked ? ` (archived segments 归档段: ${report.segmentsChecked}, live from #${report.liveFrom})` : ''}`,
    `  tree size 树规模: ${report.treeSize}  root 根: ${report.rootHash}`,
    `  signed heads checked 已核对签名树头: ${report.treeHeadsChecked}${report.latestStoredHead ? `; newest in object storage 对象存储最新: ${report.latestStoredHead.treeSize} @ ${report.latestStoredHead.timestamp}` : ''}`,
  ];
  if (report.firstBadSeq !== null) lines.push(`  first bad record 首条问题记录: #${report.firstBadSeq}`);
  for (const p of report.problems) lines.push(`  - [${p.kind}] ${p.message.zh} / ${p.message.en}`);
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<number> {
  const a = args(process.argv.slice(2));
  if (a.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const json = a.json === true;
  const dataDir = resolve(typeof a['data-dir'] === 'string' ? a['data-dir'] : process.env.DATA_DIR ?? './.data');
  const secretsFile = join(dataDir, 'secrets.json');
  const secrets = existsSync(secretsFile) ? (JSON.parse(readFileSync(secretsFile, 'utf8')) as { pgPassword?: string; auditSigningKey?: string }) : {};

  let publicKey: string | undefined;
  if (typeof a['public-key'] === 'string') publicKey = readKey(a['public-key']);
  else if (process.env.AUDIT_PUBLIC_KEY) publicKey = readKey(process.env.AUDIT_PUBLIC_KEY);
  else if (process.env.AUDIT_SIGNING_KEY) publicKey = publicKeyPem(parseSigningKey(process.env.AUDIT_SIGNING_KEY));
  else if (secrets.auditSigningKey) publicKey = publicKeyPem(parseSigningKey(secrets.auditSigningKey));
  if (!publicKey) {
    process.stderr.write('no public key: pass --public-key, AUDIT_PUBLIC_KEY or AUDIT_SIGNING_KEY\n\n' + USAGE + '\n');
    return 2;
  }

  if (typeof a.segment === 'string' || typeof a.manifest === 'string') {
    if (typeof a.segment !== 'string' || typeof a.manifest !== 'string') {
      process.stderr.write('--segment and --manifest go together\n');
      return 2;
    }
    const manifest = JSON.parse(readFileSync(a.manifest, 'utf8')) as SegmentManifest;
    const report = verifySegment(readFileSync(a.segment), manifest, publicKey);
    print(report, json);
    return report.ok ? 0 : 1;
  }

  const databaseUrl =
    (typeof a['database-url'] === 'string' ? a['database-url'] : undefined) ??
    process.env.DATABASE_URL ??
    (secrets.pgPassword ? `postgres://postgres:${encodeURIComponent(secrets.pgPassword)}@127.0.0.1:${process.env.PG_PORT ?? 54329}/platform` : undefined);
  if (!databaseUrl) {
    process.stderr.write('no database: pass --database-url or DATABASE_URL, or --data-dir of a running embedded platform\n');
    return 2;
  }
  let storage: ObjectStorage;
  if (process.env.S3_ENDPOINT)
    storage = new MinioObjectStorage({ endpoint: process.env.S3_ENDPOINT, accessKey: process.env.S3_ACCESS_KEY ?? '', secretKey: process.env.S3_SECRET_KEY ?? '', bucket: process.env.S3_BUCKET ?? 'govdata', region: process.env.S3_REGION ?? 'us-east-1' });
  else storage = new FileSystemObjectStorage(typeof a.objects === 'string' ? a.objects : process.env.OBJECT_DIR ?? (existsSync(secretsFile) ? join(dataDir, 'objects') : './.data/objects'));

  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const client = await pool.connect().catch((err: Error) => {
      throw new Error(`cannot connect to ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}: ${err.message}`);
    });
    try {
      const report = await verifyStoredLog(client, storage, publicKey);
      print(report, json);
      return report.ok ? 0 : 1;
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  },
);
