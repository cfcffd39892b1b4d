import 'reflect-metadata';
import { runService } from '@gov/shared';
import { OpenApiModule } from './open-api.module';

void runService('open-api', (rt) => OpenApiModule.register(rt));
