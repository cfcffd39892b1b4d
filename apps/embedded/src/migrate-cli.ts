import 'reflect-metadata';
import { migrateServiceSchema, SERVICES, ServiceName } from '@gov/shared';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { runEmbeddedCommand } from './cli';
import { MODULES } from './platform-server';

/** `npm run migrate`: apply every service's pending migrations to the embedded database. */
void runEmbeddedCommand('migrate', async ({ runtime }) => {
  const lines: string[] = [];
  for (const service of Object.keys(MODULES) as ServiceName[]) {
    const ctx = await NestFactory.createApplicationContext(MODULES[service](runtime), { logger: ['error'] });
    const ran = await migrateServiceSchema(ctx.get(DataSource), SERVICES[service].schema);
    await ctx.close();
    lines.push(`${service}: ${ran.length ? ran.join(', ') : 'up to date'}`);
  }
  return lines.join('\n');
});
