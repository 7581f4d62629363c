import { EntityManager } from '@mikro-orm/core';
import { type PostgreSqlConnection } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';

/** What the hot path uses of a `pg` client: named (prepared) statements, one connection. */
interface NativeClient {
  query(config: {
    name?: string;
    text: string;
    values?: unknown[];
  }): Promise<{ rows: unknown[]; command: string }>;
  release(destroy?: Error): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  /** The status of the last ReadyForQuery: 'I' idle, 'T' in a transaction, 'E' in a failed one. */
  getTransactionStatus?(): string | null;
  /** `pg`'s socket: corked while a tick's statements are sent (see pipelined). */
  connection?: { stream?: { cork?(): void; uncork?(): void } };
}
interface NativePool {
  connect(): Promise<NativeClient>;
  on(event: 'connect', listener: (client: NativeClient) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(): Promise<void>;
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

/**
 * A pipelined connection (see PreparedStatements.pipelined): every statement is sent the moment
 * it is called, without waiting for the answers of those before it; PostgreSQL runs them in that
 * order. Issue several, then await them all.
 */
export interface Pipeline {
  /** A prepared statement, sent now: its rows. */
  run: RunSql;
  /**
   * A statement without parameters (`begin`, `commit`), sent now: its command tag. A COMMIT of a
   * transaction that failed answers `ROLLBACK`, not an error.
   */
  command(text: string): Promise<string>;
}

/**
 * A pipelined transaction's statement answers, once all are in, if it committed. One failed
 * statement fails those after it (25P02, "current transaction is aborted") and turns the COMMIT
 * into a ROLLBACK that is no error: any rejection, or a COMMIT not answered COMMIT, is the
 * transaction's failure, and the first rejection (in the order sent) its cause.
 */
export async function committed<R>(
  begin: Promise<string>,
  statements: Promise<R>[],
  commit: Promise<string>,
): Promise<R[]> {
  const answers = await Promise.allSettled<unknown>([begin, ...statements, commit]);
  const failure = answers.find((answer) => answer.status === 'rejected');
  if (failure) throw failure.reason;
  const tag = await commit;
  if (tag !== 'COMMIT') throw new Error(`the transaction's COMMIT was answered ${tag}`);
  return Promise.all(statements);
}

/** Per connection: how often each statement ran and the name it is prepared under now; names to free. */
interface ConnectionStatements {
  byBase: Map<string, { runs: number; name: string | null }>;
  retired: string[];
}
const preparedOn = new WeakMap<object, ConnectionStatements>();

function statementsOf(client: object): ConnectionStatements {
  let statements = preparedOn.get(client);
  if (!statements) preparedOn.set(client, (statements = { byBase: new Map(), retired: [] }));
  return statements;
}

/**
 * The name to run `base` under on this connection now, decided when the statement is sent (so
 * several runs in flight at once agree): a new name after 2, 4, 8, … runs, the old one retired.
 */
function nameOf(statements: ConnectionStatements, base: string): string {
  let statement = statements.byBase.get(base);
  if (!statement) statements.byBase.set(base, (statement = { runs: 0, name: null }));
  statement.runs += 1;
  const name = `${base}-${Math.floor(Math.log2(statement.runs))}`;
  if (statement.name !== name) {
    // Not there if its first run failed: freeing it then fails, harmlessly.
    if (statement.name !== null) statements.retired.push(statement.name);
    statement.name = name;
  }
  return name;
}

const paramsOf = (values: unknown[]): unknown[] =>
  values.map((value) => (value instanceof Date ? value.toISOString() : value));

/** Whether the connection is unusable after `error`: not an SQL error, or one that ended the session. */
function breaks(error: unknown): boolean {
  const severity = (error as { severity?: unknown }).severity;
  return typeof severity !== 'string' || severity === 'FATAL' || severity === 'PANIC';
}

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
export class PreparedStatements implements OnApplicationShutdown {
  private readonly logger = new Logger(PreparedStatements.name);
  private pool: NativePool | undefined;
  private pipelinePool: Promise<NativePool> | undefined;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * `work` with a runner of prepared statements on one connection, released when it settles;
   * autocommit unless `work` opens a transaction with `control`.
   */
  async onConnection<T>(work: (run: RunSql, control: TransactionControl) => Promise<T>): Promise<T> {
    this.pool ??= (await (
      this.em.getConnection() as PostgreSqlConnection
    ).getNativeClient()) as unknown as NativePool;
    const client = await this.pool.connect();
    const statements = statementsOf(client);
    let broken: Error | undefined;
    let open = false;
    const control: TransactionControl = async (command) => {
      try {
        await client.query({ text: command });
        open = command === 'begin';
      } catch (error) {
        // A failed COMMIT ends the transaction too (PostgreSQL rolls it back).
        if (command !== 'begin') open = false;
        if (breaks(error)) broken = error as Error;
        throw this.em.getDriver().convertException(error as Error);
      }
    };
    try {
      return await work(async <R>(base: string, text: string, values: unknown[]) => {
        const name = nameOf(statements, base);
        try {
          for (const retired of statements.retired.splice(0)) {
            await client.query({ text: `deallocate "${retired}"` }).catch(() => undefined);
          }
          return (await client.query({ name, text, values: paramsOf(values) })).rows as R[];
        } catch (error) {
          if (breaks(error)) broken = error as Error;
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

  /**
   * `work` with a pipelined connection (see Pipeline), released when it settles: a batch's BEGIN,
   * its statements and its COMMIT go out together and cost one round trip, not one each. The
   * statements sent in one tick leave in one write (the socket is corked until the tick ends):
   * `pg` otherwise writes each statement on its own (a `writev` per statement was ~25% of the
   * busy main thread). The same prepared statements as onConnection (named, made again after
   * 2^k runs); the name of each run is decided when it is sent, and the names it retires are
   * freed at the connection's next use, outside any transaction and after every run of them.
   *
   * Its connections are a pool of their own (`pg` sets pipelining per client, for the client's
   * life), with the ORM's connection settings and at most WEBHOOK_BATCH_LANES connections: the
   * group commit's lanes (MessageIngestService.storeBatch) are its only users. PostgreSQL answers
   * a statement after an error in the same transaction with 25P02 and its COMMIT with ROLLBACK:
   * the caller must check every answer. A connection left inside a transaction is rolled back;
   * one that failed other than by an SQL error is dropped.
   */
  async pipelined<T>(work: (pipeline: Pipeline) => Promise<T>): Promise<T> {
    const client = await (await this.pipelineConnections()).connect();
    const statements = statementsOf(client);
    let broken: Error | undefined;
    const onError = (error: Error) => (broken ??= error);
    client.on('error', onError);
    let corked = false;
    let last: Promise<unknown> = Promise.resolve();
    const send = (query: { name?: string; text: string; values?: unknown[] }) => {
      const stream = client.connection?.stream;
      if (!corked && stream?.cork && stream.uncork) {
        corked = true;
        stream.cork();
        queueMicrotask(() => {
          corked = false;
          stream.uncork!();
        });
      }
      const sent = client.query(query);
      last = sent;
      return sent;
    };
    const failed = (error: unknown): never => {
      if (breaks(error)) broken ??= error as Error;
      throw this.em.getDriver().convertException(error as Error);
    };
    for (const retired of statements.retired.splice(0)) {
      void send({ text: `deallocate "${retired}"` }).catch(() => undefined);
    }
    const pipeline: Pipeline = {
      run: <R>(base: string, text: string, values: unknown[]) =>
        send({ name: nameOf(statements, base), text, values: paramsOf(values) }).then(
          (result) => result.rows as R[],
          failed,
        ),
      command: (text) => send({ text }).then((result) => result.command, failed),
    };
    try {
      return await work(pipeline);
    } finally {
      // Answers come in order: once the last statement sent has its answer, all have. Its
      // ReadyForQuery (the transaction status) may come after an error's answer, so after a
      // failure the status is not trusted: a ROLLBACK outside a transaction is only a warning.
      const lastFailed = await last.then(
        () => false,
        () => true,
      );
      if (!broken && (lastFailed || client.getTransactionStatus?.() !== 'I')) {
        await client.query({ text: 'rollback' }).catch((error: unknown) => (broken ??= error as Error));
      }
      client.removeListener('error', onError);
      client.release(broken);
    }
  }

  /** The pipelined connections' pool (see pipelined), made at first use. */
  private pipelineConnections(): Promise<NativePool> {
    this.pipelinePool ??= (async () => {
      const connection = this.em.getConnection() as PostgreSqlConnection;
      const ormPool = (await connection.getNativeClient()) as unknown as NativePool;
      // `pg`'s Pool class, as the ORM made its own: no import of `pg`, which is the ORM's dependency.
      const Pool = ormPool.constructor as new (options: object) => NativePool;
      const pool = new Pool(
        connection.mapOptions({ min: 0, max: this.config.webhooks.batchLanes, pipeline: true }),
      );
      // A dropped connection is an 'error' event, fatal without a listener (as the ORM does for its pool).
      const warn = (error: Error) =>
        this.logger.warn(`A pipelined PostgreSQL connection failed: ${error.message}`);
      pool.on('connect', (client) => client.on('error', warn));
      pool.on('error', warn);
      return pool;
    })();
    return this.pipelinePool;
  }

  async onApplicationShutdown(): Promise<void> {
    const pool = this.pipelinePool;
    this.pipelinePool = undefined;
    if (pool) await (await pool).end();
  }
}
