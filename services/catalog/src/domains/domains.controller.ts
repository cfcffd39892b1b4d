import { DomainException, Roles } from '@gov/shared';
import { Body, Controller, Get, HttpStatus, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { DataDomain, TopicItem } from './domain.entities';

export class AddDomainDto {
  @ApiProperty({ example: '22' }) @Matches(/^[0-9A-Za-z_]{1,16}$/) code: string;
  @ApiProperty({ example: '农业农村' }) @IsString() @MinLength(2) @MaxLength(50) label: string;
}

export class AddTopicItemDto {
  @ApiProperty({ example: '13', description: '主题项代码（13–99）' }) @Matches(/^(1[3-9]|[2-9][0-9])$/, { message: '主题项代码应为 13–99' }) code: string;
  @ApiProperty({ example: '数字经济' }) @IsString() @MinLength(2) @MaxLength(50) label: string;
}

/** Configurable lists: 数据领域 and the extensible 主题 classification. */
@ApiTags('配置 catalog configuration')
@ApiBearerAuth()
@Controller()
export class DomainsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get('domains')
  @ApiOperation({ summary: '数据领域 / domains' })
  domains(): Promise<DataDomain[]> {
    return this.db.getRepository(DataDomain).find({ order: { code: 'ASC' } });
  }

  @Post('domains')
  @Roles('data_admin')
  @ApiOperation({ summary: '新增数据领域 / add a domain' })
  async addDomain(@Body() dto: AddDomainDto): Promise<DataDomain> {
    const repo = this.db.getRepository(DataDomain);
    if (await repo.exist({ where: [{ code: dto.code }, { label: dto.label }] }))
      throw new DomainException('DOMAIN_DUPLICATE', HttpStatus.CONFLICT, { zh: `数据领域已存在：${dto.code} ${dto.label}`, en: 'The domain exists' });
    return repo.save(repo.create({ code: dto.code, label: dto.label, builtin: false }));
  }

  @Get('topic-items')
  @ApiOperation({ summary: '扩充的主题项 / extra topic items' })
  topicItems(): Promise<TopicItem[]> {
    return this.db.getRepository(TopicItem).find({ order: { itemCode: 'ASC' } });
  }

  @Post('topic-items')
  @Roles('data_admin')
  @ApiOperation({ summary: '扩充主题目录 / add a topic item (the list is 包括但不限于)' })
  async addTopicItem(@Body() dto: AddTopicItemDto): Promise<TopicItem> {
    const repo = this.db.getRepository(TopicItem);
    if (await repo.exist({ where: [{ itemCode: dto.code }, { label: dto.label }] }))
      throw new DomainException('TOPIC_ITEM_DUPLICATE', HttpStatus.CONFLICT, { zh: `主题项已存在：${dto.code} ${dto.label}`, en: 'The topic item exists' });
    return repo.save(repo.create({ itemCode: dto.code, label: dto.label }));
  }
}
