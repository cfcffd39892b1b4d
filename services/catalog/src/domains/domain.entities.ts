import { Column, Entity, PrimaryColumn } from 'typeorm';

/** 数据领域: the 黄石 list by default, extended by the data bureau. */
@Entity({ name: 'data_domain' })
export class DataDomain {
  @PrimaryColumn() code: string;
  @Column() label: string;
  @Column({ default: false }) builtin: boolean;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
}

/** A 主题 item beyond the guideline's 12 (the list is 包括但不限于). */
@Entity({ name: 'topic_item' })
export class TopicItem {
  @PrimaryColumn({ name: 'item_code', type: 'char', length: 2 }) itemCode: string;
  @Column() label: string;
  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' }) createdAt: Date;
}
