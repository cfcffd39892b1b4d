import { CurrentStaff, Page, PageQuery, Roles, StaffPrincipal } from '@gov/shared';
import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SearchEntriesQuery, SearchResult } from '../search/dto/search.dto';
import { SearchService } from '../search/search.service';
import { ApproveEntryDto, ChangeNoticeDto, CreateEntryDto, EntryVersionView, EntryView, RetireEntryDto, ReturnEntryDto, SaveEntryDto, StartChangeDto, VersionDiffView } from './dto/entry.dto';
import { EntriesService, actorOf } from './entries.service';

@ApiTags('目录 catalog entries')
@ApiBearerAuth()
@Controller('entries')
export class EntriesController {
  constructor(
    private readonly entries: EntriesService,
    private readonly searchService: SearchService,
  ) {}

  @Get()
  @ApiOperation({ summary: '目录检索（关键词、分面、排序、分页）/ search the catalog' })
  search(@CurrentStaff() staff: StaffPrincipal, @Query() query: SearchEntriesQuery): Promise<SearchResult> {
    return this.searchService.search(actorOf(staff).scope, query);
  }

  @Post()
  @Roles('dept_operator', 'data_admin')
  @ApiOperation({ summary: '新建目录草稿（返回合规自检结果）/ create a draft, with its compliance findings' })
  create(@CurrentStaff() staff: StaffPrincipal, @Body() dto: CreateEntryDto): Promise<EntryView> {
    return this.entries.create(actorOf(staff), dto.deptId ?? staff.deptId, dto.metadata);
  }

  @Get(':id')
  @ApiOperation({ summary: '目录详情 / an entry, its working and published versions' })
  get(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<EntryView> {
    return this.entries.get(actorOf(staff), id);
  }

  @Put(':id')
  @Roles('dept_operator', 'data_admin')
  @ApiOperation({ summary: '保存草稿（运行合规自检）/ save the working version' })
  save(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: SaveEntryDto): Promise<EntryView> {
    return this.entries.save(actorOf(staff), id, dto.metadata);
  }

  @Post(':id/submit')
  @HttpCode(200)
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '提交审核（合规自检不通过则拒绝并列出全部问题）/ submit for review' })
  submit(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<EntryView> {
    return this.entries.submit(actorOf(staff), id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '审核通过并发布（首次发布时生成资源代码）/ approve and publish' })
  approve(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ApproveEntryDto): Promise<EntryView> {
    return this.entries.approve(actorOf(staff), id, dto.comment);
  }

  @Post(':id/return')
  @HttpCode(200)
  @Roles('data_admin')
  @ApiOperation({ summary: '审核退回（逐字段意见）/ return with comments per field' })
  returnForRevision(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ReturnEntryDto): Promise<EntryView> {
    return this.entries.returnForRevision(actorOf(staff), id, { summary: dto.summary, fields: dto.fields ?? {} });
  }

  @Post(':id/versions')
  @Roles('dept_operator', 'data_admin')
  @ApiOperation({ summary: '发起变更（新版本，需重新审核）/ start a change of a published entry' })
  startChange(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: StartChangeDto): Promise<EntryView> {
    return this.entries.startChange(actorOf(staff), id, dto.reason, dto.metadata);
  }

  @Post(':id/retire')
  @HttpCode(200)
  @Roles('dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '下架（须填写原因）/ retire a published entry' })
  retire(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: RetireEntryDto): Promise<EntryView> {
    return this.entries.retire(actorOf(staff), id, dto.reason);
  }

  @Post(':id/change-notices')
  @Roles('dept_operator', 'dept_reviewer', 'data_admin')
  @ApiOperation({ summary: '登记变更事由，按工作日时限跟踪目录更新 / record that an entry must be updated' })
  noticeChange(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: ChangeNoticeDto) {
    return this.entries.noticeChange(actorOf(staff), id, dto.reason);
  }

  @Get(':id/versions')
  @ApiOperation({ summary: '版本历史 / version history' })
  versions(@CurrentStaff() staff: StaffPrincipal, @Param('id', ParseUUIDPipe) id: string): Promise<EntryVersionView[]> {
    return this.entries.versions(actorOf(staff), id);
  }

  @Get(':id/diff')
  @ApiOperation({ summary: '版本字段级差异 / field-level diff between two versions' })
  diff(
    @CurrentStaff() staff: StaffPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Query('from', ParseIntPipe) from: number,
    @Query('to', ParseIntPipe) to: number,
  ): Promise<VersionDiffView> {
    return this.entries.diff(actorOf(staff), id, from, to);
  }
}

@ApiTags('目录 catalog entries')
@ApiBearerAuth()
@Controller('reviews')
export class ReviewsController {
  constructor(private readonly entries: EntriesService) {}

  @Get()
  @Roles('data_admin')
  @ApiOperation({ summary: '待审核目录（等待最久在前，分页）/ the review queue, longest waiting first, paged: { items, total, page, pageSize }' })
  queue(@Query() q: PageQuery): Promise<Page<EntryView>> {
    return this.entries.reviewQueue(q);
  }
}
