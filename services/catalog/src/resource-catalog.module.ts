import { Module } from '@nestjs/common';
import { catalogSettingsProvider } from './catalog.settings';
import { ResourceCodeAllocator } from './codes/resource-code.allocator';
import { DeadlinesController } from './deadlines/deadlines.controller';
import { DeadlinesService } from './deadlines/deadlines.service';
import { DomainsController } from './domains/domains.controller';
import { ComplianceContextLoader } from './entries/compliance-context.loader';
import { EntriesController, ReviewsController } from './entries/entries.controller';
import { EntriesService } from './entries/entries.service';
import { OneSourceController } from './one-source/one-source.controller';
import { OneSourceService } from './one-source/one-source.service';
import { SourceConflictDetector } from './one-source/source-conflict.detector';
import { ReferenceListController, ReferenceListService } from './reference-list/reference-list.controller';
import { SearchIndexWriter } from './search/search-index.writer';
import { SearchService } from './search/search.service';
import { StatisticsController } from './statistics/statistics.controller';
import { StatisticsService } from './statistics/statistics.service';
import { SystemsController, SystemsService } from './systems/systems.controller';

/** 政务数据资源目录: entries, review, codes, 一数一源, deadlines, search, statistics. */
@Module({
  controllers: [
    EntriesController,
    ReviewsController,
    SystemsController,
    DomainsController,
    OneSourceController,
    DeadlinesController,
    ReferenceListController,
    StatisticsController,
  ],
  providers: [
    catalogSettingsProvider,
    EntriesService,
    ComplianceContextLoader,
    ResourceCodeAllocator,
    SearchIndexWriter,
    SearchService,
    DeadlinesService,
    SourceConflictDetector,
    OneSourceService,
    ReferenceListService,
    StatisticsService,
    SystemsService,
  ],
  exports: [EntriesService, SearchService, SystemsService, ReferenceListService, catalogSettingsProvider],
})
export class ResourceCatalogModule {}
