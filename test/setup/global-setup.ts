import { MikroORM } from '@mikro-orm/postgresql';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs once per jest run, outside jest's module system (so only packages can be imported):
 * drops the test databases that runs which are no longer alive left behind. Databases of
 * live runs (another terminal, a colleague) are left alone; test databases are named
 * `whatsapp_hub_test_<pid>_<random>`, templates `whatsapp_hub_test_tpl_<migrations hash>`.
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
    for (const { datname } of rows) {
      const pid = /^whatsapp_hub_test_(\d+)_/.exec(datname)?.[1];
      if (pid && !alive(Number(pid)))
        await connection.execute(`drop database if exists "${datname}" with (force)`);
    }
  } finally {
    await orm.close(true);
  }
}
