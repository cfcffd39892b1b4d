import { OBJECT_STORAGE, ObjectStorage, Public, recordLeafHash, Roles, SignedTreeHead } from '@gov/shared';
import { Controller, Get, HttpCode, Inject, Param, ParseIntPipe, Post, Query, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditRefusalFilter } from '../access/audit-refusal.filter';
import { rows } from './log-store';
import { AuditLog } from './audit-log';
import { ConsistencyQuery, HeadsQuery, InclusionQuery } from './dto/proof.dto';
import { LogErrors } from './log.errors';
import { LogVerification, verifyStoredLog } from './log-verification';
import { toView } from '../records/audit-record.view';
import { ArchiveReader } from '../retention/archive-reader';

/** 防篡改日志: public key, signed tree heads, inclusion and consistency proofs, full verification. */
@ApiTags('审计日志 tamper-evident log')
@ApiBearerAuth()
@UseFilters(AuditRefusalFilter)
@Controller('log')
export class LogController {
  constructor(
    private readonly log: AuditLog,
    private readonly archive: ArchiveReader,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
  ) {}

  @Get('public-key')
  @Public()
  @ApiOperation({ summary: '签名公钥（Ed25519）/ the public key that checks tree heads' })
  publicKey() {
    return { algorithm: 'Ed25519', keyId: this.log.keyId, publicKeyPem: this.log.publicKeyPem };
  }

  @Get('tree-head')
  @Roles('auditor', 'data_admin')
  @ApiOperation({ summary: '最新签名树头 / latest signed tree head' })
  async latest(): Promise<SignedTreeHead & { logSize: number }> {
    const head = await this.log.latestHead();
    if (!head) throw LogErrors.noTreeHead();
    return { ...head, logSize: await this.log.size() };
  }

  @Post('tree-heads')
  @HttpCode(200)
  @Roles('auditor')
  @ApiOperation({ summary: '立即签名当前树头 / sign a head over everything logged so far' })
  async signNow(): Promise<SignedTreeHead> {
    const head = await this.log.signNow();
    if (!head) throw LogErrors.noTreeHead();
    return head;
  }

  @Get('tree-heads')
  @Roles('auditor', 'data_admin')
  @ApiOperation({ summary: '签名树头列表 / signed tree heads, oldest first' })
  heads(@Query() q: HeadsQuery): Promise<SignedTreeHead[]> {
    return this.log.heads({ fromSize: q.fromSize, limit: q.limit ?? 100 });
  }

  @Get('records/:seq/proof')
  @Roles('auditor')
  @ApiOperation({ summary: '记录的包含证明 / inclusion proof of a record (RFC 6962 audit path)' })
  async inclusion(@Param('seq', ParseIntPipe) seq: number, @Query() q: InclusionQuery) {
    const head = q.treeSize ? await this.log.head(q.treeSize) : await this.log.latestHead();
    if (!head) throw q.treeSize ? LogErrors.unknownTreeSize(q.treeSize) : LogErrors.noTreeHead();
    if (seq >= head.treeSize) throw LogErrors.recordNotInTree(seq, head.treeSize);
    const [live] = await rows<{ body: Buffer; leaf_hash: Buffer }>(this.ds, `SELECT body, leaf_hash FROM audit.audit_record WHERE seq = $1`, [seq]);
    // An archived record comes from its block in the signed segment; its leaf hash stayed in the tree table.
    const body = live?.body ?? (await this.archive.record(seq));
    if (!body) throw LogErrors.recordNotFound(seq);
    const { leafHash, proof } = await this.log.inclusionProof(seq, head.treeSize);
    // The bytes served must be the leaf the proof is for (a changed segment file is refused, not proven).
    if (!live && !recordLeafHash(body).equals(leafHash)) throw LogErrors.archivedMismatch(seq);
    return {
      seq,
      treeSize: head.treeSize,
      archived: !live,
      leafHash: leafHash.toString('hex'),
      proof: proof.map((p) => p.toString('hex')),
      treeHead: head,
      record: toView({ body, leaf_hash: leafHash }),
      body: body.toString('utf8'),
    };
  }

  @Get('proofs/consistency')
  @Roles('auditor', 'data_admin')
  @ApiOperation({ summary: '两个树头之间的一致性证明 / consistency proof between two signed heads' })
  async consistency(@Query() q: ConsistencyQuery) {
    if (q.from > q.to) throw LogErrors.badRange(q.from, q.to);
    const [a, b] = [await this.log.head(q.from), await this.log.head(q.to)];
    if (!a) throw LogErrors.unknownTreeSize(q.from);
    if (!b) throw LogErrors.unknownTreeSize(q.to);
    const proof = await this.log.consistencyProof(q.from, q.to);
    return { from: a, to: b, proof: proof.map((p) => p.toString('hex')) };
  }

  @Get('verification')
  @Roles('auditor')
  @ApiOperation({ summary: '完整核验日志（归档段 + 在线记录）/ verify the whole log against the signed heads' })
  async verify(): Promise<LogVerification> {
    await this.log.flush();
    const client = await (this.ds.driver as unknown as { master: import('pg').Pool }).master.connect();
    try {
      return await verifyStoredLog(client, this.storage, this.log.publicKeyPem);
    } finally {
      client.release();
    }
  }
}
