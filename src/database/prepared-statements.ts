import { EntityManager } from '@mikro-orm/core';
import { type PostgreSqlConnection } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** The part of `pg`'s pool the hot path uses: named (prepared) statements on one connection. */
interface NativeQueryable {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}
interface NativePool {
  connect(): Promise<NativeQueryable & { release(destroy?: Error): void }>;
}

/**
 * A statement on the connection at hand, prepared under `name`: its rows. `text` has `$n`
 * placeholders (see numbered).
 */
export type RunSql = <T>(name: string, text: string, values: unknown[]) => Promise<T[]>;

/**
 * Transaction control on the connection at hand (group commit, see GroupCommit): `begin`, then
 * the statements, then `commit` or `rollback`. A connection is never handed back to the pool
 * inside a transaction: one still open when the work settles is rolled back (or dropped).
 */
export type TransactionControl = (command: 'begin' | 'commit' | 'rollback') => Promise<void>;

/** Per connection: how often each statement ran, and the name it is prepared under now. */
const preparedOn = new WeakMap<object, Map<string, { runs: number; name: string | null }>>();

/** `?` placeholders as `$1, $2, …`, for a prepared statement (the text has no `?` of its own). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * Runs hot-path statements on one connection of the ORM's own pool, straight through `pg`
 * (no query building, no entity hydration), as named prepared statements: a big statement is
 * parsed and planned once, not per event (planning the message ingest cost ~1 ms of PostgreSQL
 * CPU per event). Autocommit (no transaction): each statement commits on its own. Errors are
 * converted like the ORM's (unique, foreign key, …); a connection that failed other than by an
 * SQL error is dropped.
 *
 * A cached generic plan reflects the table sizes of its first executions: one made on small
 * tables (a fresh database, a hot chat's row versions) kept scanning them as they grew
 * (measured: PostgreSQL CPU per event 0.9 ms rising past 3.5 ms over 14,000 events). So each
 * connection prepares a statement again, under a new name, after 2, 4, 8, … 2^k runs (and
 * deallocates the old one): ~20 re-plans in a million runs, each with the tables as they are.
 */
@Injectable()
export class PreparedStatements {
  private pool: NativePool | undefined;

  constructor(private readonly em: EntityManager) {}

  /**
   * `work` with a runner of prepared statements on one connection, released when it settles;
   * autocommit unless `work` opens a transaction with `control`.
   */
  async onConnection<T>(work: (run: RunSql, control: TransactionControl) => Promise<T>): Promise<T> {
    this.pool ??= (await (
      this.em.getConnection() as PostgreSqlConnection
    ).getNativeClient()) as unknown as NativePool;
    const client = await this.pool.connect();
    let statements = preparedOn.get(client);
    if (!statements) preparedOn.set(client, (statements = new Map()));
    let broken: Error | undefined;
    let open = false;
    const control: TransactionControl = async (command) => {
      try {
        await client.query({ text: command });
        open = command === 'begin';
      } catch (error) {
        // A failed COMMIT ends the transaction too (PostgreSQL rolls it back).
        if (command !== 'begin') open = false;
        if (typeof (error as { severity?: unknown }).severity !== 'string') broken = error as Error;
        throw this.em.getDriver().convertException(error as Error);
      }
    };
    try {
      return await work(async <R>(base: string, text: string, values: unknown[]) => {
        let statement = statements.get(base);
        if (!statement) statements.set(base, (statement = { runs: 0, name: null }));
        statement.runs += 1;
        const name = `${base}-${Math.floor(Math.log2(statement.runs))}`;
        const params = values.map((value) => (value instanceof Date ? value.toISOString() : value));
        try {
          if (statement.name !== name) {
            // Not there if its first run failed: nothing to free then.
            if (statement.name !== null) {
              await client.query({ text: `deallocate "${statement.name}"` }).catch(() => undefined);
            }
            statement.name = name;
          }
          return (await client.query({ name, text, values: params })).rows as R[];
        } catch (error) {
          if (typeof (error as { severity?: unknown }).severity !== 'string') broken = error as Error;
          throw this.em.getDriver().convertException(error as Error);
        }
      }, control);
    } finally {
      if (open && !broken) {
        await client.query({ text: 'rollback' }).then(
          () => (open = false),
          (error: unknown) => (broken = error as Error),
        );
      }
      client.release(broken ?? (open ? new Error('released inside a transaction') : undefined));
    }
  }
}
