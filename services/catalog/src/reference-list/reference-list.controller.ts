import { CurrentStaff, DepartmentScope, DomainException, Roles, StaffPrincipal, departmentScopeOf, scopeAllows } from '@gov/shared';
import { Body, Controller, Get, HttpStatus, Injectable, Param, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { ReferenceExemption, ReferenceItem } from './reference-item.entities';

export class ReferenceItemInput {
  @ApiProperty({ example: '企业信用评价结果' }) @IsString() @MinLength(2) @MaxLength(200) name: string;
  @ApiProperty() @IsUUID() deptId: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(16) domainCode?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) description?: string;
}

export class LoadReferenceListDto {
  @ApiProperty({ example: '2023年公共数据开放参考清单' }) @IsString() @MinLength(2) @MaxLength(200) listName: string;
  @ApiProperty({ type: [ReferenceItemInput] }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20_000) @ValidateNested({ each: true }) @Type(() => ReferenceItemInput) items: ReferenceItemInput[];
}

export class ExemptionDto {
  @ApiProperty({ description: '不开放依据及理由' }) @IsString() @MinLength(4) @MaxLength(2000) reason: string;
}

export class ListReferenceItemsQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() deptId?: string;
}

export interface ReferenceItemView extends ReferenceItem {
  /** 已编目 / 已说明不开放理由 / 待处理 */
  coverage: 'catalogued' | 'exempted' | 'missing';
  entryId: string | null;
  exemptionReason: string | null;
}

/**
 * 参考清单 (黄石): the data bureau loads the data each department is expected to open; a
 * department must catalog each item or give 不开放依据及理由.
 */
@Injectable()
export class ReferenceListService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async load(dto: LoadReferenceListDto): Promise<{ loaded: number }> {
    return this.db.transaction(async (m) => {
      const deptIds = [...new Set(dto.items.map((i) => i.deptId))];
      const known = new Set((await m.query(`SELECT id FROM catalog.department WHERE id = ANY($1::uuid[])`, [deptIds])).map((r: { id: string }) => r.id));
      const domains = new Set((await m.query(`SELECT code FROM catalog.data_domain`)).map((r: { code: string }) => r.code));
      const errors = dto.items.flatMap((item, i) => [
        ...(known.has(item.deptId) ? [] : [{ field: `items[${i}].deptId`, zh: `部门不存在：${item.deptId}`, en: `Unknown department: ${item.deptId}` }]),
        ...(!item.domainCode || domains.has(item.domainCode) ? [] : [{ field: `items[${i}].domainCode`, zh: `数据领域未配置：${item.domainCode}`, en: `Unknown domain: ${item.domainCode}` }]),
      ]);
      if (errors.length > 0)
        throw new DomainException('REFERENCE_LIST_INVALID', HttpStatus.UNPROCESSABLE_ENTITY, { zh: '参考清单中有不存在的部门或数据领域', en: 'The reference list names unknown departments or domains' }, { errors });
      let loaded = 0;
      for (const item of dto.items) {
        const rows = await m.query(
          `INSERT INTO catalog.reference_item (list_name, name, dept_id, domain_code, description) VALUES ($1,$2,$3,$4,$5)
           ON CONFLICT (list_name, dept_id, name) DO UPDATE SET domain_code = EXCLUDED.domain_code, description = EXCLUDED.description RETURNING id`,
          [dto.listName, item.name, item.deptId, item.domainCode ?? null, item.description ?? null],
        );
        loaded += rows.length;
      }
      return { loaded };
    });
  }

  async list(scope: DepartmentScope, deptId?: string, m: EntityManager = this.db.manager): Promise<ReferenceItemView[]> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (!scope.all) where.push(`r.dept_id = ANY($${params.push(scope.deptIds)}::uuid[])`);
    if (deptId) where.push(`r.dept_id = $${params.push(deptId)}`);
    const rows = await m.query(
      `SELECT r.id, r.list_name AS "listName", r.name, r.dept_id AS "deptId", r.domain_code AS "domainCode", r.description, r.created_at AS "createdAt",
              x.reason AS "exemptionReason",
              (SELECT e.id FROM catalog.catalog_entry e JOIN catalog.entry_version v ON v.entry_id = e.id AND v.version = e.latest_version
               WHERE e.dept_id = r.dept_id AND e.status <> 'retired' AND v.metadata->>'referenceItemId' = r.id::text LIMIT 1) AS "entryId"
       FROM catalog.reference_item r LEFT JOIN catalog.reference_exemption x ON x.reference_item_id = r.id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.list_name, r.name`,
      params,
    );
    return rows.map((r: ReferenceItemView) => ({ ...r, coverage: r.entryId ? 'catalogued' : r.exemptionReason ? 'exempted' : 'missing' }));
  }

  async exempt(staff: StaffPrincipal, id: string, reason: string): Promise<ReferenceExemption> {
    const item = await this.db.getRepository(ReferenceItem).findOneBy({ id });
    if (!item || !scopeAllows(departmentScopeOf(staff), item.deptId))
      throw new DomainException('REFERENCE_ITEM_NOT_FOUND', HttpStatus.NOT_FOUND, { zh: `参考清单事项不存在：${id}`, en: `Reference item not found: ${id}` });
    const repo = this.db.getRepository(ReferenceExemption);
    return repo.save(repo.create({ referenceItemId: id, reason, createdBy: staff.userId }));
  }
}

@ApiTags('参考清单 reference list')
@ApiBearerAuth()
@Controller()
export class ReferenceListController {
  constructor(private readonly references: ReferenceListService) {}

  @Post('reference-lists')
  @Roles('data_admin')
  @ApiOperation({ summary: '导入参考清单 / load a reference list' })
  load(@Body() dto: LoadReferenceListDto) {
    return this.references.load(dto);
  }

  @Get('reference-items')
  @ApiOperation({ summary: '参考清单事项及落实情况 / reference items and whether each is catalogued or exempted' })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() q: ListReferenceItemsQuery) {
    return this.references.list(departmentScopeOf(staff), q.deptId);
  }

  @Put('reference-items/:id/exemption')
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '填写不开放依据及理由 / give the reason an item is not opened' })
  exempt(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ExemptionDto) {
    return this.references.exempt(staff, id, dto.reason);
  }
}
