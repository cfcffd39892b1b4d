import 'reflect-metadata';
import { runService } from '@gov/shared';
import { SharingModule } from './sharing.module';

void runService('sharing', (rt) => SharingModule.register(rt));
