import 'reflect-metadata';
import { runService } from '@gov/shared';
import { AuditModule } from './audit.module';

void runService('audit', (rt) => AuditModule.register(rt));
