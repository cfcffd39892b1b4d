import type { DepartmentRegisteredV1 } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DepartmentDirectoryEntry } from './department-directory.entity';

@Injectable()
export class DepartmentDirectoryService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async apply(m: EntityManager, e: DepartmentRegisteredV1): Promise<void> {
    await m.getRepository(DepartmentDirectoryEntry).upsert(
      { deptId: e.deptId, name: e.name, creditCode: e.creditCode, regionCode: e.regionCode, level: e.level, parentId: e.parentId ?? null },
      ['deptId'],
    );
  }

  list(): Promise<DepartmentDirectoryEntry[]> {
    return this.dataSource.getRepository(DepartmentDirectoryEntry).find({ order: { name: 'ASC' } });
  }
}
