import { CurrentStaff, OutboxWriter, Page, pageOf, PageQuery, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Delete, Get, Injectable, Param, Post, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { OpenErrors } from '../open.errors';
import { BlacklistCache } from './blacklist.service';

export class AddBlacklistDto {
  @ApiProperty({ enum: ['key', 'app', 'ip'], description: 'key: 密钥前缀; app: 应用 id; ip: 地址' }) @IsIn(['key', 'app', 'ip']) kind: 'key' | 'app' | 'ip';
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) value: string;
  @ApiProperty({ description: '列入理由' }) @IsString() @MinLength(2) @MaxLength(1000) reason: string;
}

export class BlacklistQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['key', 'app', 'ip'] }) @IsOptional() @IsIn(['key', 'app', 'ip']) kind?: 'key' | 'app' | 'ip';
}

export interface BlacklistEntry {
  id: string;
  kind: 'key' | 'app' | 'ip';
  value: string;
  reason: string;
  createdBy: string | null;
  createdAt: Date;
}

@Injectable()
export class BlacklistService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly cache: BlacklistCache,
  ) {}

  /** Entries in force, newest first (id tie-break), paged. */
  list(q: BlacklistQuery = {}): Promise<Page<BlacklistEntry>> {
    const params: unknown[] = [];
    const kind = q.kind ? ` AND kind = $${params.push(q.kind)}` : '';
    return pageOf(
      this.db,
      { select: `id, kind, value, reason, created_by AS "createdBy", created_at AS "createdAt"`, from: `FROM openapi.blacklist WHERE removed_at IS NULL${kind}`, orderBy: 'created_at DESC, id DESC' },
      params,
      q,
      (r) => r as BlacklistEntry,
    );
  }

  async add(staff: StaffPrincipal, dto: AddBlacklistDto) {
    const value = dto.kind === 'ip' ? dto.value.trim().replace(/^::ffff:/, '') : dto.value.trim();
    const row = await this.db.transaction(async (m) => {
      const [existing] = await m.query(`SELECT * FROM openapi.blacklist WHERE kind = $1 AND value = $2 AND removed_at IS NULL`, [dto.kind, value]);
      if (existing) return existing;
      const [r] = await m.query(`INSERT INTO openapi.blacklist (kind, value, reason, created_by) VALUES ($1,$2,$3,$4) RETURNING *`, [dto.kind, value, dto.reason, staff.userId]);
      await this.outbox.add(m, 'open.blacklist.changed', { blacklistId: r.id, kind: dto.kind, value, action: 'added', reason: dto.reason });
      return r;
    });
    this.cache.invalidate();
    return { id: row.id, kind: row.kind, value: row.value, reason: row.reason };
  }

  async remove(id: string) {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw OpenErrors.blacklistNotFound();
    await this.db.transaction(async (m) => {
      const [r] = await m.query(`SELECT * FROM openapi.blacklist WHERE id = $1 AND removed_at IS NULL FOR UPDATE`, [id]);
      if (!r) throw OpenErrors.blacklistNotFound();
      await m.query(`UPDATE openapi.blacklist SET removed_at = now() WHERE id = $1`, [id]);
      await this.outbox.add(m, 'open.blacklist.changed', { blacklistId: id, kind: r.kind, value: r.value, action: 'removed', reason: r.reason });
    });
    this.cache.invalidate();
    return { id, removed: true };
  }
}

/** 黑名单, managed by the data bureau. */
@ApiTags('开放管理 open data administration')
@ApiBearerAuth()
@Controller('v1/admin/blacklist')
export class BlacklistController {
  constructor(private readonly blacklist: BlacklistService) {}

  @Get()
  @Roles('data_admin')
  @ApiOperation({ summary: '黑名单（最新在前，分页）/ blacklist, newest first, paged: { items, total, page, pageSize }' })
  list(@Query() q: BlacklistQuery) {
    return this.blacklist.list(q);
  }

  @Post()
  @Roles('data_admin')
  @ApiOperation({ summary: '列入黑名单（密钥、应用、IP）/ blacklist a key, app or IP' })
  add(@CurrentStaff() staff: StaffPrincipal, @Body() dto: AddBlacklistDto) {
    return this.blacklist.add(staff, dto);
  }

  @Delete(':id')
  @Roles('data_admin')
  @ApiOperation({ summary: '移出黑名单 / remove from the blacklist' })
  remove(@Param('id') id: string) {
    return this.blacklist.remove(id);
  }
}
