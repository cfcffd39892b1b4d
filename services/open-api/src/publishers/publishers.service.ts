import type { DepartmentRegisteredV1 } from '@gov/shared';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Publisher } from './publisher.entity';

export interface PublisherView {
  id: string;
  name: string;
  regionCode: string;
}

@Injectable()
export class PublishersService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async apply(m: EntityManager, e: DepartmentRegisteredV1): Promise<void> {
    await m.getRepository(Publisher).upsert({ deptId: e.deptId, name: e.name, regionCode: e.regionCode }, ['deptId']);
  }

  async list(): Promise<PublisherView[]> {
    const rows = await this.dataSource.getRepository(Publisher).find({ order: { name: 'ASC' } });
    return rows.map((p) => ({ id: p.deptId, name: p.name, regionCode: p.regionCode }));
  }
}
