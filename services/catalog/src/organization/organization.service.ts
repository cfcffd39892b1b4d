import { OutboxWriter } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Department } from './department.entity';
import { DepartmentResponseDto, RegisterDepartmentDto } from './dto/register-department.dto';
import { OrganizationErrors } from './organization.exception';

export function toDepartmentDto(d: Department): DepartmentResponseDto {
  return { id: d.id, name: d.name, creditCode: d.creditCode, code: d.code, regionCode: d.regionCode, level: d.level, parentId: d.parentId };
}

@Injectable()
export class OrganizationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  /** Registers a department and announces it, in one transaction. */
  register(dto: RegisterDepartmentDto): Promise<DepartmentResponseDto> {
    return this.dataSource.transaction((m) => this.registerIn(m, dto));
  }

  async registerIn(m: EntityManager, dto: RegisterDepartmentDto): Promise<DepartmentResponseDto> {
    const repo = m.getRepository(Department);
    for (const field of ['creditCode', 'code'] as const)
      if (await repo.exist({ where: { [field]: dto[field] } })) throw OrganizationErrors.duplicateDepartment(field, dto[field]);
    if (await repo.exist({ where: { name: dto.name, regionCode: dto.regionCode } })) throw OrganizationErrors.duplicateDepartment('name', dto.name);
    if (dto.parentId && !(await repo.exist({ where: { id: dto.parentId } }))) throw OrganizationErrors.parentNotFound(dto.parentId);
    const dept = await repo.save(repo.create({ ...dto, parentId: dto.parentId ?? null }));
    await this.outbox.add(m, 'org.department.registered', {
      deptId: dept.id,
      name: dept.name,
      creditCode: dept.creditCode,
      regionCode: dept.regionCode,
      level: dept.level,
      parentId: dept.parentId,
    });
    return toDepartmentDto(dept);
  }

  /** The department directory (names and provider codes) is published information, visible to all staff. */
  async list(q?: string): Promise<DepartmentResponseDto[]> {
    const qb = this.dataSource.getRepository(Department).createQueryBuilder('d').orderBy('d.name');
    if (q) qb.andWhere('d.name LIKE :q', { q: `%${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%` });
    const rows = await qb.getMany();
    return rows.map(toDepartmentDto);
  }
}
