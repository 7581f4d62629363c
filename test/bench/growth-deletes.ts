/**
 * The growth benchmark's delete figures (see growth.ts and the README's section 6): what removing
 * a message, a media row and a whole session costs at a given size of the stored history; and
 * putting the history back after each ingestion run.
 */
import pg, { type Pool } from 'pg';
import { fmt, now, percentiles } from './support.js';

/** Rows each delete figure takes: random messages, random media rows (both in the history). */
const DELETED = 10;
/** A statement that takes longer is cut off and reported as "> this". */
const DELETE_TIMEOUT_MS = 60_000;

/**
 * What deleting costs at this size, each in a transaction rolled back (the history stays as it
 * is): one message (the chats foreign key's `on delete set null` looks for a chat naming it), one
 * media row (messages' foreign key looks for a message naming it), the quietest session with all
 * its rows (every message of it checked against chats), and the plan of each foreign key's lookup.
 */
export async function deletes(ds: {
  db: { url: string };
  /** Busiest first: the last is the quietest. */
  sessions: { id: string }[];
}): Promise<string> {
  // One connection (max 1): its transactions, settings and prepared statement are the same session's.
  const client = new pg.Pool({ connectionString: ds.db.url, max: 1, application_name: 'bench-deletes' });
  const timed = async (sql: string, values: unknown[]): Promise<number> => {
    await client.query('begin');
    try {
      await client.query(`set local statement_timeout = ${DELETE_TIMEOUT_MS}`);
      const t0 = now();
      await client.query(sql, values);
      return now() - t0;
    } catch (error) {
      if ((error as { code?: string }).code === '57014') return Infinity;
      throw error;
    } finally {
      await client.query('rollback');
    }
  };
  const median = (values: number[]) => percentiles(values).p50;
  const show = (ms: number) => (ms === Infinity ? `> ${DELETE_TIMEOUT_MS / 1000} s` : `${fmt(ms, 2)} ms`);
  try {
    const { rows: messages } = await client.query<{ id: string }>(
      `select id from messages tablesample system (1) limit $1`,
      [DELETED],
    );
    const { rows: media } = await client.query<{ id: string }>(
      `select media_id as id from messages tablesample system (1) where media_id is not null limit $1`,
      [DELETED],
    );
    const quiet = ds.sessions[ds.sessions.length - 1]!;
    const { rows: quietRows } = await client.query<{ n: number }>(
      `select count(*)::int as n from messages where session_id = $1`,
      [quiet.id],
    );
    const messageMs: number[] = [];
    for (const { id } of messages) messageMs.push(await timed(`delete from messages where id = $1`, [id]));
    const mediaMs: number[] = [];
    for (const { id } of media) mediaMs.push(await timed(`delete from media where id = $1`, [id]));
    const sessionMs = await timed(`delete from whatsapp_sessions where id = $1`, [quiet.id]);
    // The foreign keys' own lookups, as their triggers run them: a parameter, a generic plan.
    const plan = async (sql: string, value: string) => {
      await client.query(`set plan_cache_mode = force_generic_plan`);
      await client.query(`prepare fk_lookup(varchar) as ${sql}`);
      try {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          `explain execute fk_lookup('${value}')`,
        );
        return rows.map((r: { 'QUERY PLAN': string }) => r['QUERY PLAN'].trim()).join(' / ');
      } finally {
        await client.query(`deallocate fk_lookup`);
        await client.query(`reset plan_cache_mode`);
      }
    };
    const chatsPlan = await plan(
      `select 1 from only chats x where last_message_id = $1 for key share of x`,
      messages[0]!.id,
    );
    const mediaPlan = await plan(
      `select 1 from only messages x where media_id = $1 for key share of x`,
      media[0]!.id,
    );
    return (
      `a message ${show(median(messageMs))} (median of ${messageMs.length}, max ${show(Math.max(...messageMs))}); ` +
      `a media row ${show(median(mediaMs))} (median of ${mediaMs.length}, max ${show(Math.max(...mediaMs))}); ` +
      `the quietest session (${quietRows[0]!.n} messages) ${show(sessionMs)}; ` +
      `plans: chats by last_message_id: ${chatsPlan}; messages by media_id: ${mediaPlan}`
    );
  } finally {
    await client.end();
  }
}

/**
 * Puts the history back as it was after an ingestion run: the run's rows out (every row it wrote
 * has a ULID above `mark`, or arrived after `started`), the busy session's chats as generated
 * (`saved`, JSON rows of chats).
 */
export async function restoreHistory(
  pool: Pool,
  { sessionId, mark, started, saved }: { sessionId: string; mark: string; started: Date; saved: string },
): Promise<void> {
  // Put the history back as it was: the run's rows out, its chats as generated. Before
  // Migration20261130090000 chats' foreign key to its last message had no index, and its trigger
  // scanned every chat for each deleted message (26 ms a message at 1M, see README): this cleanup
  // skips it where it may (replica role, this statement only), so a build from before the index
  // still measures in reasonable time; the only chats naming the run's messages are restored below.
  if (!/^\w+$/.test(sessionId + mark)) throw new Error(`growth: unexpected id ${sessionId} ${mark}`);
  const runRows = `delete from messages where session_id = '${sessionId}' and id > '${mark}'`;
  await pool
    .query(`do $$ begin perform set_config('session_replication_role', 'replica', true); ${runRows}; end $$`)
    .catch(() => pool.query(runRows));
  await pool.query(`delete from webhook_events where session_id = $1 and received_at >= $2`, [
    sessionId,
    started,
  ]);
  await pool.query(`delete from outbox_commands where session_id = $1 and status = 'PENDING'`, [sessionId]);
  await pool.query(
    `update chats c set last_message_id = s.last_message_id, activity_at = s.activity_at, unread_count = s.unread_count,
       updated_at = s.updated_at, updated_by = s.updated_by
     from jsonb_to_recordset($1::jsonb) as s(id varchar, last_message_id varchar, activity_at timestamptz,
       unread_count int, updated_at timestamptz, updated_by varchar)
     where c.id = s.id`,
    [saved],
  );
  await pool.query(`vacuum chats, messages, webhook_events, outbox_commands`);
}
