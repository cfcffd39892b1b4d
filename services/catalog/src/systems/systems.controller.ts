import { CurrentStaff, DomainException, Roles, StaffPrincipal, departmentScopeOf, scopeAllows } from '@gov/shared';
import { Body, Controller, Get, HttpStatus, Injectable, Post, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { InformationSystem } from './information-system.entity';

export class RegisterSystemDto {
  @ApiProperty({ example: '市场主体登记管理系统' }) @IsString() @MinLength(2) @MaxLength(200) name: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) description?: string;
  @ApiPropertyOptional({ description: '数据管理员代部门登记' }) @IsOptional() @IsUUID() deptId?: string;
  @ApiPropertyOptional({ description: '新建系统：其关联资源须在时限内编目（默认是）', default: true }) @IsOptional() @IsBoolean() newSystem?: boolean;
}

export class ListSystemsQuery {
  @ApiPropertyOptional() @IsOptional() @IsUUID() deptId?: string;
}

/** 政务信息系统 registry; a new system opens the 新增关联资源 time limit. */
@Injectable()
export class SystemsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly deadlines: DeadlinesService,
  ) {}

  register(staff: StaffPrincipal, dto: RegisterSystemDto): Promise<InformationSystem> {
    const deptId = dto.deptId ?? staff.deptId;
    if (!scopeAllows(departmentScopeOf(staff), deptId))
      throw new DomainException('SYSTEM_NOT_OWNED', HttpStatus.FORBIDDEN, { zh: '只能登记本部门的信息系统', en: 'You may only register systems of your own department' });
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(InformationSystem);
      if (await repo.exist({ where: { deptId, name: dto.name } }))
        throw new DomainException('SYSTEM_DUPLICATE', HttpStatus.CONFLICT, { zh: `本部门已登记同名信息系统：${dto.name}`, en: `A system with this name exists: ${dto.name}` });
      const system = await repo.save(repo.create({ deptId, name: dto.name, description: dto.description ?? null, createdBy: staff.userId }));
      if (dto.newSystem !== false)
        await this.deadlines.open(m, { kind: 'register_linked_resource', deptId, subjectType: 'system', subjectId: system.id, reason: `新建信息系统"${system.name}"的关联资源编目` });
      return system;
    });
  }

  list(staff: StaffPrincipal, deptId?: string): Promise<InformationSystem[]> {
    const scope = departmentScopeOf(staff);
    const qb = this.db.getRepository(InformationSystem).createQueryBuilder('s').orderBy('s.name');
    if (!scope.all) qb.andWhere('s.dept_id IN (:...d)', { d: scope.deptIds });
    if (deptId) qb.andWhere('s.dept_id = :deptId', { deptId });
    return qb.getMany();
  }
}

@ApiTags('信息系统 information systems')
@ApiBearerAuth()
@Controller('systems')
export class SystemsController {
  constructor(private readonly systems: SystemsService) {}

  @Post()
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '登记政务信息系统 / register an information system' })
  register(@CurrentStaff() staff: StaffPrincipal, @Body() dto: RegisterSystemDto) {
    return this.systems.register(staff, dto);
  }

  @Get()
  @ApiOperation({ summary: '本部门（或全部）信息系统 / systems the caller may see' })
  list(@CurrentStaff() staff: StaffPrincipal, @Query() q: ListSystemsQuery) {
    return this.systems.list(staff, q.deptId);
  }
}
