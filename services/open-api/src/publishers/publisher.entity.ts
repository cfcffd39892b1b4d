import { Column, Entity, PrimaryColumn } from 'typeorm';

/** 数据提供部门 as the public portal shows it; fed by org.department.registered. */
@Entity({ name: 'publisher' })
export class Publisher {
  @PrimaryColumn('uuid', { name: 'dept_id' }) deptId: string;
  @Column() name: string;
  @Column({ name: 'region_code' }) regionCode: string;
}
