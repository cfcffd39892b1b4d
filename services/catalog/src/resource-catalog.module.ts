import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import express from 'express';
import { CatalogExportService } from './imports/catalog-export.service';
import { CatalogImportController, XLSX_MIME } from './imports/catalog-import.controller';
import { CatalogImportService } from './imports/catalog-import.service';
import { CascadeExportService } from './cascade/cascade-export.service';
import { CascadeImportService } from './cascade/cascade-import.service';
import { CascadeController } from './cascade/cascade.controller';
import { PlatformIdentityResolver } from './cascade/platform-identity';
import { catalogSettingsProvider } from './catalog.settings';
import { ResourceCodeAllocator } from './codes/resource-code.allocator';
import { DeadlinesController } from './deadlines/deadlines.controller';
import { DeadlinesService } from './deadlines/deadlines.service';
import { DomainsController } from './domains/domains.controller';
import { ComplianceContextLoader } from './entries/compliance-context.loader';
import { EntriesController, ReviewsController } from './entries/entries.controller';
import { EntriesService } from './entries/entries.service';
import { OrganizationModule } from './organization/organization.module';
import { OneSourceController } from './one-source/one-source.controller';
import { OneSourceService } from './one-source/one-source.service';
import { SourceConflictDetector } from './one-source/source-conflict.detector';
import { ReferenceListController, ReferenceListService } from './reference-list/reference-list.controller';
import { CatalogSearchIndex } from './search/search-index';
import { SearchIndexWriter } from './search/search-index.writer';
import { SearchService } from './search/search.service';
import { SqlSearch } from './search/sql-search';
import { StatisticsController } from './statistics/statistics.controller';
import { StatisticsService } from './statistics/statistics.service';
import { SystemsController, SystemsService } from './systems/systems.controller';

/** 政务数据资源目录: entries, review, codes, 一数一源, deadlines, search, statistics. */
@Module({
  imports: [OrganizationModule],
  controllers: [
    EntriesController,
    ReviewsController,
    SystemsController,
    DomainsController,
    OneSourceController,
    DeadlinesController,
    ReferenceListController,
    StatisticsController,
    CatalogImportController,
    CascadeController,
  ],
  providers: [
    catalogSettingsProvider,
    EntriesService,
    ComplianceContextLoader,
    ResourceCodeAllocator,
    SearchIndexWriter,
    SqlSearch,
    CatalogSearchIndex,
    SearchService,
    DeadlinesService,
    SourceConflictDetector,
    OneSourceService,
    ReferenceListService,
    StatisticsService,
    CatalogImportService,
    CatalogExportService,
    SystemsService,
    PlatformIdentityResolver,
    CascadeExportService,
    CascadeImportService,
  ],
  exports: [EntriesService, SearchService, SystemsService, ReferenceListService, catalogSettingsProvider],
})
export class ResourceCatalogModule implements NestModule {
  /** The confirmation table arrives as the raw request body; 20 MB covers 10,000 entries. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(express.raw({ type: [XLSX_MIME, 'application/octet-stream'], limit: '20mb' })).forRoutes({ path: 'imports', method: RequestMethod.POST });
  }
}
