/**
 * npm run migration:up      apply pending migrations to DATABASE_URL
 * npm run migration:create  write a migration for what the entities changed (into src/migrations)
 * npm run migration:check   fail when the entities and the migrations disagree
 *
 * create and check work on a scratch database next to DATABASE_URL, migrated from zero,
 * so neither depends on the state of a developer's own database.
 */
import path from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmConfig } from '../../mikro-orm.config.js';
import { parseEnv } from '../config/env.js';
import { createDatabase, dropDatabase, ensureDatabase, withDatabase } from '../database/databases.js';
import { migrateUp } from '../database/migrate.js';

const command = process.argv[2];
const { databaseUrl } = parseEnv();
const log = { log: (message: string) => console.log(message) };

async function withScratchDatabase<T>(fn: (orm: MikroORM) => Promise<T>): Promise<T> {
  const name = `whatsapp_hub_scratch_${process.pid}_${Date.now()}`;
  await createDatabase(databaseUrl, name);
  const orm = await MikroORM.init(createOrmConfig(withDatabase(databaseUrl, name)));
  try {
    await orm.migrator.up();
    return await fn(orm);
  } finally {
    await orm.close(true);
    await dropDatabase(databaseUrl, name);
  }
}

async function main(): Promise<number> {
  switch (command) {
    case 'up': {
      if (await ensureDatabase(databaseUrl)) console.log('Created the database');
      const orm = await MikroORM.init(createOrmConfig(databaseUrl));
      try {
        const applied = await migrateUp(orm, log);
        if (applied.length === 0) console.log('No pending migrations');
      } finally {
        await orm.close(true);
      }
      return 0;
    }
    case 'create':
      return withScratchDatabase(async (orm) => {
        const result = await orm.migrator.create(path.resolve('src/migrations'), false, false);
        if (!result.fileName) {
          console.log('The entities and the migrations agree: no migration needed');
          return 0;
        }
        console.log(`Wrote src/migrations/${result.fileName}`);
        return 0;
      });
    case 'check':
      return withScratchDatabase(async (orm) => {
        const drift = await orm.schema.getUpdateSchemaSQL({ wrap: false });
        if (drift.trim() === '') {
          console.log('migration:check: the migrations produce exactly the schema the entities describe');
          return 0;
        }
        console.error(
          'migration:check: the entities differ from the migrations. Run `npm run migration:create`.',
        );
        console.error(drift);
        return 1;
      });
    default:
      console.error('usage: migrations.js up|create|check');
      return 2;
  }
}

process.exitCode = await main();
