import { PlatformModule, ServiceRuntime } from '@gov/shared';
import { DynamicModule, Module } from '@nestjs/common';
import { DatasetReader } from './datasets/dataset-reader';
import { Dataset, DatasetVersion } from './datasets/dataset.entities';
import { DatasetsController } from './datasets/datasets.controller';
import { DatasetsService } from './datasets/datasets.service';
import { DemoDataSeeder } from './demo/demo-data.seeder';
import { JobRunner } from './jobs/job-runner';
import { IngestJob } from './jobs/job.entity';
import { JobsController } from './jobs/jobs.controller';
import { JobsService } from './jobs/jobs.service';
import { LoadSource } from './loading/load-source';
import { VersionLoader } from './loading/version-loader';
import { InitialIngestSchema1732400000000 } from './migrations/1732400000000-initial-ingest-schema';
import { Datasets1732600000000 } from './migrations/1732600000000-datasets';
import { SensitiveFindings1732800000000 } from './migrations/1732800000000-sensitive-findings';
import { PullSourcesController } from './pulls/pull-sources.controller';
import { PullSourcesService } from './pulls/pull-sources.service';
import { RectificationController, RectificationService } from './rectification/rectification';
import { SensitiveFindingsController } from './sensitive/sensitive-findings.controller';
import { SensitiveFindingsService } from './sensitive/sensitive-findings.service';
import { TimelinessController, TimelinessWatch } from './timeliness/timeliness.watch';
import { AttachmentsService } from './uploads/attachments.service';
import { RawFileStore } from './uploads/raw-file.store';
import { UploadsController } from './uploads/uploads.controller';
import { UploadsService } from './uploads/uploads.service';

export const INGEST_ENTITIES = [Dataset, DatasetVersion, IngestJob];
export const INGEST_MIGRATIONS = [InitialIngestSchema1732400000000, Datasets1732600000000, SensitiveFindings1732800000000];

/** 归集服务: datasets of published entries, loaded from files, interfaces and database tables. */
@Module({})
export class IngestModule {
  static register(runtime: ServiceRuntime): DynamicModule {
    return {
      module: IngestModule,
      imports: [PlatformModule.forService({ service: 'ingest', runtime, entities: INGEST_ENTITIES, migrations: INGEST_MIGRATIONS })],
      controllers: [DatasetsController, UploadsController, JobsController, PullSourcesController, TimelinessController, RectificationController, SensitiveFindingsController],
      providers: [
        DatasetsService,
        DatasetReader,
        RawFileStore,
        UploadsService,
        AttachmentsService,
        JobsService,
        JobRunner,
        VersionLoader,
        LoadSource,
        TimelinessWatch,
        RectificationService,
        PullSourcesService,
        SensitiveFindingsService,
        DemoDataSeeder,
      ],
    };
  }
}
