import { MikroORM } from '@mikro-orm/postgresql';

/** The same server as `databaseUrl`, but database `name`. */
export function withDatabase(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function databaseNameOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
}

function quoteIdent(name: string): string {
  if (!/^[a-zA-Z0-9_]{1,63}$/.test(name)) throw new Error(`Unsafe database name: ${name}`);
  return `"${name}"`;
}

/** Runs `fn` with a connection to the server's `postgres` maintenance database. */
export async function withAdminConnection<T>(
  databaseUrl: string,
  fn: (execute: (sql: string) => Promise<unknown[]>) => Promise<T>,
): Promise<T> {
  const orm = await MikroORM.init({
    clientUrl: withDatabase(databaseUrl, 'postgres'),
    entities: [],
    discovery: { warnWhenNoEntities: false },
    pool: { min: 0, max: 1 },
  });
  try {
    return await fn((sql) => orm.em.getConnection().execute(sql));
  } finally {
    await orm.close(true);
  }
}

export async function createDatabase(databaseUrl: string, name: string, template?: string): Promise<void> {
  await withAdminConnection(databaseUrl, (execute) =>
    execute(`create database ${quoteIdent(name)}${template ? ` template ${quoteIdent(template)}` : ''}`),
  );
}

export async function dropDatabase(databaseUrl: string, name: string): Promise<void> {
  await withAdminConnection(databaseUrl, (execute) =>
    execute(`drop database if exists ${quoteIdent(name)} with (force)`),
  );
}

/** Creates the configured database when it does not exist yet (a fresh developer machine). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseNameOf(databaseUrl);
  return withAdminConnection(databaseUrl, async (execute) => {
    const rows = await execute(`select 1 from pg_database where datname = '${name.replace(/'/g, "''")}'`);
    if (rows.length > 0) return false;
    await execute(`create database ${quoteIdent(name)}`);
    return true;
  });
}

export async function listDatabases(databaseUrl: string, prefix: string): Promise<string[]> {
  return withAdminConnection(databaseUrl, async (execute) => {
    const rows = (await execute(`select datname from pg_database`)) as { datname: string }[];
    return rows.map((row) => row.datname).filter((name) => name.startsWith(prefix));
  });
}
