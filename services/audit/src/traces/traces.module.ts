import { Module } from '@nestjs/common';
import { SearchIndexMerger } from './search-index-merger';
import { TracesController } from './traces.controller';
import { TracesService } from './traces.service';

@Module({ controllers: [TracesController], providers: [TracesService, SearchIndexMerger], exports: [TracesService] })
export class TracesModule {}
