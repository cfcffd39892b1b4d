import 'reflect-metadata';
import { runMigrationsOnly } from '@gov/shared';
import { AuditModule } from './audit.module';

void runMigrationsOnly('audit', (rt) => AuditModule.register(rt));
