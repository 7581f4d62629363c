import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { committed, type Pipeline, PreparedStatements } from '../../src/database/prepared-statements.js';
import { sql, startTestApp, type TestApp } from '../support/app.js';

/**
 * PreparedStatements.pipelined, on a real PostgreSQL: what a pipelined transaction answers when
 * one of its statements fails (the group commit's fallback depends on it), named statements made
 * again at 2^k runs while several runs of one name are in flight, and a connection that dies in
 * the middle of a pipeline. One lane: the pipelined pool has one connection, so every use below
 * is on the same one until it is dropped.
 */
describe('PreparedStatements.pipelined', () => {
  let t: TestApp;
  let statements: PreparedStatements;

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_BATCH_LANES: '1' });
    statements = t.app.get(PreparedStatements, { strict: false });
    await sql(t, 'create table pipeline_probe (n int primary key)');
  });
  afterAll(async () => {
    await t?.close();
  });

  const insert = (pipeline: Pipeline, n: number) =>
    pipeline.run<{ n: number }>(
      'pipeline-probe-insert',
      'insert into pipeline_probe values ($1) returning n',
      [n],
    );
  const backendPid = (pipeline: Pipeline) =>
    pipeline.run<{ pid: number }>('pipeline-probe-pid', 'select pg_backend_pid() as pid', []);
  const stored = async () =>
    (await sql<{ n: number }>(t, 'select n from pipeline_probe order by n')).map((row) => row.n);

  it('fails every statement after a failed one and answers its COMMIT with ROLLBACK; the connection goes on', async () => {
    const pids: number[] = [];
    const answers = await statements.pipelined(async (pipeline) => {
      const sent = [
        pipeline.command('begin'),
        insert(pipeline, 1),
        insert(pipeline, 1),
        insert(pipeline, 2),
        pipeline.command('commit'),
      ];
      return Promise.allSettled<unknown>(sent);
    });
    expect(answers.map((answer) => answer.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    const reason = (i: number) => (answers[i] as PromiseRejectedResult).reason as { code?: string };
    expect(reason(2)).toBeInstanceOf(UniqueConstraintViolationException);
    expect(reason(3).code).toBe('25P02');
    expect((answers[4] as PromiseFulfilledResult<string>).value).toBe('ROLLBACK');
    expect(await stored()).toEqual([]);

    // `committed` says the same: the first failure is the transaction's.
    await expect(
      statements.pipelined(async (pipeline) => {
        pids.push((await backendPid(pipeline))[0]!.pid);
        return committed(
          pipeline.command('begin'),
          [insert(pipeline, 3), insert(pipeline, 3), insert(pipeline, 4)],
          pipeline.command('commit'),
        );
      }),
    ).rejects.toBeInstanceOf(UniqueConstraintViolationException);
    expect(await stored()).toEqual([]);

    // The same connection, outside any transaction, commits the next one.
    const rows = await statements.pipelined(async (pipeline) => {
      pids.push((await backendPid(pipeline))[0]!.pid);
      return committed(
        pipeline.command('begin'),
        [insert(pipeline, 5), insert(pipeline, 6)],
        pipeline.command('commit'),
      );
    });
    expect(rows).toEqual([[{ n: 5 }], [{ n: 6 }]]);
    expect(pids[1]).toBe(pids[0]);
    expect(await stored()).toEqual([5, 6]);
  });

  it('prepares a statement again after 2^k runs while many runs of it are in flight, and frees the old names', async () => {
    const square = (pipeline: Pipeline, n: number) =>
      pipeline.run<{ sq: number }>('pipeline-probe-square', 'select ($1::int * $1::int) as sq', [n]);
    const numbers = Array.from({ length: 20 }, (_, i) => i + 1);
    const squares = await statements.pipelined(async (pipeline) =>
      Promise.all(numbers.map((n) => square(pipeline, n))),
    );
    expect(squares.map((rows) => rows[0]!.sq)).toEqual(numbers.map((n) => n * n));

    // Runs 1, 2–3, 4–7, 8–15 and 16–20 went under five names; the next use frees the first four.
    const names = await statements.pipelined(async (pipeline) => {
      await square(pipeline, 21);
      return pipeline.run<{ name: string }>(
        'pipeline-probe-prepared',
        `select name from pg_prepared_statements where name like 'pipeline-probe-square-%' order by name`,
        [],
      );
    });
    expect(names.map((row) => row.name)).toEqual(['pipeline-probe-square-4']);
  });

  it('rejects every statement of a pipeline whose connection dies, and drops that connection', async () => {
    const before = await statements.pipelined(async (pipeline) => (await backendPid(pipeline))[0]!.pid);
    const answers = await statements.pipelined(async (pipeline) =>
      Promise.allSettled<unknown>([
        pipeline.command('begin'),
        insert(pipeline, 7),
        pipeline.run('pipeline-probe-die', 'select pg_terminate_backend(pg_backend_pid())', []),
        insert(pipeline, 8),
        pipeline.command('commit'),
      ]),
    );
    expect(answers.map((answer) => answer.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(await stored()).toEqual([5, 6]);
    const after = await statements.pipelined(async (pipeline) => {
      const pid = (await backendPid(pipeline))[0]!.pid;
      await committed(pipeline.command('begin'), [insert(pipeline, 9)], pipeline.command('commit'));
      return pid;
    });
    expect(after).not.toBe(before);
    expect(await stored()).toEqual([5, 6, 9]);
  });
});
