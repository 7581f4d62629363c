import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmConfig } from '../../mikro-orm.config.js';

/**
 * A MikroORM on the service's own config whose query log is kept: the statements exactly as the
 * service's code sends them (MikroORM inlines the parameters), so a test or a benchmark can
 * assert on them or EXPLAIN them. One connection, so statements come in the order they ran.
 */
export async function sqlCapturingOrm(dbUrl: string): Promise<{
  orm: MikroORM;
  /** The statements since the last call (or since the ORM connected), and forgets them. */
  take(): string[];
}> {
  let captured: string[] = [];
  const logger = {
    log: () => undefined,
    error: () => undefined,
    warn: () => undefined,
    logQuery: (context: { query?: string }) => {
      if (context.query) captured.push(context.query);
    },
    setDebugMode: () => undefined,
    isEnabled: () => true,
  };
  const orm = await MikroORM.init(
    createOrmConfig(dbUrl, { debug: true, loggerFactory: () => logger, pool: { min: 0, max: 1 } }),
  );
  return {
    orm,
    take: () => {
      const taken = captured;
      captured = [];
      return taken;
    },
  };
}
