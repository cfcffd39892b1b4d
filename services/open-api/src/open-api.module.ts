import { FAST_ROUTES, PlatformModule, ServiceRuntime } from '@gov/shared';
import { DynamicModule, Module } from '@nestjs/common';
import { OpenAccessModule } from './access/access.module';
import { ApplicationReviewController, ConditionalApplicationsController, ConditionalApplicationsService } from './applications/conditional-applications';
import { OpenCatalogController } from './catalog/open-catalog.controller';
import { OpenCatalogProjection } from './catalog/open-catalog.projection';
import { OpenDatasetLoader } from './catalog/open-dataset-loader';
import { OpenCatalogService } from './catalog/open-catalog.service';
import { DeveloperAuth } from './developers/developer-auth';
import { DevelopersController, LargeVolumeAdminController } from './developers/developers.controller';
import { DevelopersService } from './developers/developers.service';
import { FeedbackAdminController, InteractionController } from './interaction/interaction.controller';
import { InteractionService } from './interaction/interaction.service';
import { InitialOpenapiSchema1732400000000 } from './migrations/1732400000000-initial-openapi-schema';
import { OpenData1732900000000 } from './migrations/1732900000000-open-data';
import { OpenReleaseLoader1733200000000 } from './migrations/1733200000000-open-release-loader';
import { Publisher } from './publishers/publisher.entity';
import { PublishersModule } from './publishers/publishers.module';
import { OpenRecordsController } from './records/open-records.controller';
import { OpenRecordsRoute } from './records/open-records.route';
import { OpenRecordsService } from './records/open-records.service';
import { OPEN_SANDBOX_MIGRATIONS, OpenSandboxModule } from './sandbox/open-sandbox.module';
import { HarvestController, HarvestService } from './statistics/harvest';
import { OpenStatisticsController, OpenStatisticsService } from './statistics/open-statistics';

export const OPEN_API_MIGRATIONS = [InitialOpenapiSchema1732400000000, OpenData1732900000000, ...OPEN_SANDBOX_MIGRATIONS, OpenReleaseLoader1733200000000];

/**
 * 开放服务: the public catalog (from catalog and ingest events), masked data served as records,
 * previews and downloads, developers with apps and keys under rate limits, conditional opening,
 * public interaction, statistics and harvesting endpoints.
 */
@Module({})
export class OpenApiModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: OpenApiModule,
      imports: [PlatformModule.forService({ service: 'open-api', runtime, entities: [Publisher], migrations: OPEN_API_MIGRATIONS }), OpenAccessModule, PublishersModule, OpenSandboxModule],
      controllers: [
        OpenCatalogController,
        OpenRecordsController,
        DevelopersController,
        LargeVolumeAdminController,
        ConditionalApplicationsController,
        ApplicationReviewController,
        InteractionController,
        FeedbackAdminController,
        OpenStatisticsController,
        HarvestController,
      ],
      providers: [
        OpenCatalogService,
        OpenCatalogProjection,
        OpenDatasetLoader,
        OpenRecordsService,
        OpenRecordsRoute,
        // The records API is answered before the router (see OpenRecordsRoute).
        { provide: FAST_ROUTES, useFactory: (records: OpenRecordsRoute) => [records], inject: [OpenRecordsRoute] },
        DeveloperAuth,
        DevelopersService,
        ConditionalApplicationsService,
        InteractionService,
        OpenStatisticsService,
        HarvestService,
      ],
    };
  }
}
