import 'reflect-metadata';
import { runMigrationsOnly } from '@gov/shared';
import { OpenApiModule } from './open-api.module';

void runMigrationsOnly('open-api', (rt) => OpenApiModule.register(rt));
