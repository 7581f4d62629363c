import { MikroORM } from '@mikro-orm/postgresql';

/**
 * Runs once per jest run, outside jest's module system (so only packages can be imported):
 * drops every test database a previous or crashed run left, including the migrated
 * template, which the first test file then rebuilds from the current migrations.
 */
export default async function globalSetup(): Promise<void> {
  const server =
    process.env['TEST_DATABASE_URL'] ??
    process.env['DATABASE_URL'] ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const url = new URL(server);
  url.pathname = '/postgres';
  const orm = await MikroORM.init({
    clientUrl: url.toString(),
    entities: [],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: 1 },
  });
  try {
    const connection = orm.em.getConnection();
    const rows = (await connection.execute(
      `select datname from pg_database where datname like 'whatsapp\\_hub\\_test\\_%'`,
    )) as { datname: string }[];
    for (const { datname } of rows)
      await connection.execute(`drop database if exists "${datname}" with (force)`);
  } finally {
    await orm.close(true);
  }
}
