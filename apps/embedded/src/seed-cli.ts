import 'reflect-metadata';
import { CatalogModule, DemoCitySeeder } from '@gov/catalog';
import { EventPlumbing, migrateServiceSchema, SERVICES } from '@gov/shared';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { runEmbeddedCommand } from './cli';

/**
 * `npm run seed`: create the demo city on an empty catalog. Its events go through the outbox
 * like any other, and the other services consume them at their next start.
 */
void runEmbeddedCommand('seed', async ({ runtime }) => {
  const ctx = await NestFactory.createApplicationContext(CatalogModule.register(runtime), { logger: ['error'] });
  await migrateServiceSchema(ctx.get(DataSource), SERVICES.catalog.schema);
  const result = await ctx.get(DemoCitySeeder).seed();
  while ((await ctx.get(EventPlumbing).relay.flush()) > 0);
  await ctx.close();
  return result.created
    ? `demo city created: ${result.departments} departments, ${result.users} users (password Demo@2026)`
    : 'the catalog already has departments; nothing to do';
});
