import 'reflect-metadata';
import { runMigrationsOnly } from '@gov/shared';
import { SharingModule } from './sharing.module';

void runMigrationsOnly('sharing', (rt) => SharingModule.register(rt));
