import { Module } from '@nestjs/common';
import { SearchProjector } from './search-projector';
import { TracesController } from './traces.controller';
import { TracesService } from './traces.service';

@Module({ controllers: [TracesController], providers: [TracesService, SearchProjector], exports: [TracesService, SearchProjector] })
export class TracesModule {}
