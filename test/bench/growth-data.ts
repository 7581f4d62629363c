/**
 * The stored history of `growth`: N messages over 100 sessions, written straight into the
 * service's own (migrated) tables with set-based SQL, as the service would have stored them
 * over a year of webhooks and dashboard sends. Rows have the service's shapes: ULID row ids
 * whose time is when the row was written, WAHA ids `{fromMe}_{chatId}_{id}` (groups add the
 * author), seconds for WAHA's timestamps and milliseconds for a dashboard send's, the audit
 * actors the service writes (system:waha-webhook, user:…), and beside each message what its
 * arrival left: a `webhook_events` dedupe row (message, message.any or message.ack) and an
 * outbox command (message.received, message.send), DELIVERED, since nothing prunes either.
 *
 * Skew: session s (1…100) holds a share ∝ s^-0.8 of the messages (the busiest ~12%, the
 * quietest ~0.3%); a session has one chat per 10 of its messages, chat j holding a share ∝ 1/j
 * of them (a few busy chats, a long tail of small ones: half have 4 messages or fewer). 40%
 * of messages are sent (70% of those from the dashboard, 30% from the phone), ~9% carry a file
 * (with its READY media row), 4% quote the message before, 2% have a reaction, 5% of chats are
 * groups.
 * Messages are inserted in the order they arrived, interleaved across chats, so a chat's rows
 * are spread over the table as they are in production.
 *
 * Contact chat j of every session is `49170000<j-1, 5 digits>@c.us`: webhook-load's chats
 * (`i % chats`) are the session's busiest chats.
 */
import { randomBytes } from 'node:crypto';
import { type Pool } from 'pg';
import { newRowId } from '../../src/database/row-ids.js';

export interface GeneratedSession {
  id: string;
  tenantId: string;
  /** The key WAHA signs this session's webhooks with. */
  key: string;
  me: string;
  /** Its rank by messages, 1 the busiest. */
  rank: number;
}

export interface History {
  sessions: GeneratedSession[];
  counts: Record<string, number>;
  ms: number;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const DAY_MS = 86_400_000;
const LOREM =
  'Hello! Is my order ready for pickup? We could come by this afternoon around four, or tomorrow ' +
  'morning if that suits you better. Thanks for the quick answer, see you then. Could you also send ' +
  'the invoice as a PDF and the tracking number once it ships? The last delivery came a day late and ' +
  'the box was damaged, so please pack it well. Great, thank you very much, have a nice weekend!';

/** SQL of a ULID written at `ms` (a column of epoch milliseconds): its 48-bit time, then 80 random bits. */
function ulidSql(ms: string): string {
  const time = Array.from(
    { length: 10 },
    (_, i) => `substr('${CROCKFORD}', ((${ms} >> ${45 - 5 * i}) & 31)::int + 1, 1)`,
  );
  const random = Array.from({ length: 16 }, () => `substr('${CROCKFORD}', floor(random() * 32)::int + 1, 1)`);
  return `(${[...time, ...random].join(' || ')})`;
}

/** SQL of an epoch-milliseconds column as a timestamptz (exact, unlike to_timestamp's float). */
const at = (ms: string) => `(timestamptz 'epoch' + (${ms}) * interval '1 millisecond')`;

/** 60 bits of a message's md5 as a bigint: its dice. */
const bits = (md5: string) => `('x' || substr(${md5}, 1, 15))::bit(60)::bigint`;

/** Whether the message with dice `h` was sent by the linked account. */
const fromMeSql = (h: string) => `(${h} % 100 < 40)`;

/** WAHA's id of the message with md5 `md` and dice `h` (WEBJS: a group's adds its author, or me). */
function wahaIdSql(md: string, h: string): string {
  return `(case when ${fromMeSql(h)} then 'true_' else 'false_' end || c.chat_id || '_3EB0' || upper(substr(${md}, 13, 18))
    || case when not c.is_group then '' when ${fromMeSql(h)} then '_' || c.me
       else '_49172' || lpad(((${h} >> 40) % 300)::text, 8, '0') || '@c.us' end)`;
}

/** The type of a message from its dice: ~9% carry a file, a few are locations. */
const TYPE_SQL = `case when t < 50 then 'IMAGE' when t < 60 then 'VIDEO' when t < 75 then 'VOICE'
  when t < 85 then 'DOCUMENT' when t < 90 then 'STICKER' when t < 93 then 'LOCATION' else 'TEXT' end`;

async function timed(pool: Pool, label: string, sql: string, values: unknown[] = []): Promise<number> {
  const t0 = Date.now();
  const { rowCount } = await pool.query(sql, values);
  if (process.env['BENCH_VERBOSE'])
    console.error(`  growth: ${label} ${rowCount ?? ''} in ${Date.now() - t0} ms`);
  return rowCount ?? 0;
}

/**
 * Writes `messages` messages of history into the migrated database behind `pool`, for sessions
 * spread over `tenantIds`, ending at `nowMs` (before the run starts, so every generated row id
 * sorts before the service's own). ANALYZEs (and VACUUMs: autovacuum may be off) what it wrote.
 */
export async function generateHistory(
  pool: Pool,
  options: { messages: number; sessions: number; tenantIds: string[]; nowMs: number },
): Promise<History> {
  const t0 = Date.now();
  const { messages, nowMs, tenantIds } = options;
  const sessions: GeneratedSession[] = Array.from({ length: options.sessions }, (_, i) => ({
    id: `ws_${newRowId().toLowerCase()}`,
    tenantId: tenantIds[i % tenantIds.length]!,
    key: randomBytes(32).toString('hex'),
    me: `4915100${String(i + 1).padStart(6, '0')}@c.us`,
    rank: i + 1,
  }));
  const created = new Date(nowMs - 366 * DAY_MS);
  await timed(
    pool,
    'sessions',
    `insert into whatsapp_sessions (id, tenant_id, display_name, auth_method, status, me_id, me_push_name,
       webhook_hmac_key, linked_at, working_since, created_at, updated_at, created_by, updated_by)
     select id, tenant_id, 'Line ' || rank, 'QR', 'WORKING', me, 'Shop ' || rank, key, $5, $6, $5, $6, 'user:bench-admin', 'system:n8n'
     from unnest($1::varchar[], $2::uuid[], $3::varchar[], $4::varchar[]) with ordinality as s(id, tenant_id, me, key, rank)`,
    [
      sessions.map((s) => s.id),
      sessions.map((s) => s.tenantId),
      sessions.map((s) => s.me),
      sessions.map((s) => s.key),
      created,
      new Date(nowMs - DAY_MS),
    ],
  );

  // The chats: how many messages each holds (cumulative rounding: exactly `messages` in all),
  // when its conversation ran (busy chats are recent; the rest end any time in the past year).
  await pool.query(`drop table if exists bench_growth_chats, bench_growth_messages`);
  await timed(
    pool,
    'chat plan',
    `create unlogged table bench_growth_chats as
     with s as (
       select id as session_id, tenant_id, me, rank::int as rank, power(rank, -0.8) as w
       from unnest($1::varchar[], $2::uuid[], $3::varchar[]) with ordinality as s(id, tenant_id, me, rank)
     ), sh as (select *, w / sum(w) over () as share from s),
     ch as (
       select sh.*, j from sh cross join lateral generate_series(1, greatest(1, ceil($4 * sh.share / 10))::int) as j
     ), wt as (select *, share * (1.0 / j) / sum(1.0 / j) over (partition by session_id) as cw from ch),
     cum as (select *, sum(cw) over (order by rank, j rows unbounded preceding) as hi from wt),
     plan as (
       select *, (round($4 * hi) - round($4 * coalesce(lag(hi) over (order by rank, j), 0)))::int as n,
         ${bits(`md5(session_id || ':' || j)`)} as hc
       from cum
     ), ended as materialized (
       select *, $5::bigint - floor(power((hc % 10007) / 10007.0, 2) * ${365 * DAY_MS} * least(1, j / 50.0))::bigint as end_ms
       from plan where n > 0
     ), spanned as materialized (
       select *, end_ms - least(end_ms - ($5::bigint - ${365 * DAY_MS}),
         floor(n::bigint * 1800000 * (0.5 + ((hc >> 26) % 1000) / 1000.0)))::bigint as start_ms
       from ended
     )
     select ${ulidSql('start_ms')} as pk, session_id, tenant_id, me, rank, j, n, (j % 20 = 19) as is_group,
       case when j % 20 = 19 then '120363' || lpad((rank * 100000 + j)::text, 12, '0') || '@g.us'
         else '49170000' || lpad((j - 1)::text, 5, '0') || '@c.us' end as chat_id,
       case when j % 20 <> 19 and (hc >> 14) % 10 < 3 then '2' || lpad((rank * 1000000 + j)::text, 14, '0') || '@lid' end as alt_chat_id,
       case when j % 20 = 19 then 'Group ' || j when (hc >> 18) % 10 < 7 then 'Customer ' || j end as name,
       case when end_ms > $5::bigint - ${2 * DAY_MS} then ((hc >> 22) % 6)::int else 0 end as unread,
       start_ms, end_ms
     from spanned`,
    [sessions.map((s) => s.id), sessions.map((s) => s.tenantId), sessions.map((s) => s.me), messages, nowMs],
  );

  // Every message with everything its rows need, in one pass: the k-th message of its chat, evenly
  // spread over the chat's conversation, its dice `h` deciding direction, type, reply, reaction.
  // A dashboard send has a millisecond timestamp and its row at once; WAHA's are whole seconds,
  // stored a moment later. The dashboard sends no stickers or locations. `offset 0` keeps each
  // step a value computed once per row: inlined, every use of a column recomputes its md5s
  // (7 ms a row instead of microseconds). The same for the chat plan's `materialized`.
  await timed(
    pool,
    'message plan',
    `create unlogged table bench_growth_messages as
     select ${ulidSql('created_ms')} as pk, c.session_id, c.tenant_id, c.pk as chat_pk, c.chat_id, c.is_group, c.me,
       k, k = c.n as last, h, from_me, origin, type, ts_ms, created_ms,
       ${wahaIdSql('md', 'h')} as waha_id,
       case when k > 1 and (h >> 24) % 100 < 4 then ${wahaIdSql('mdp', bits('mdp'))} end as reply_to,
       (h >> 31) % 100 < 2 as reacted,
       case when type not in ('TEXT', 'LOCATION') then ${ulidSql('created_ms')} end as media_pk,
       'evt_' || lower(${ulidSql('created_ms')}) as event_id,
       case when origin <> 'phone' then ${ulidSql('created_ms')} end as command_id
     from bench_growth_chats c
     cross join lateral generate_series(1, c.n) as k
     cross join lateral (select md5(c.pk || ':' || k) as md, md5(c.pk || ':' || (k - 1)) as mdp offset 0) m
     cross join lateral (select ${bits('m.md')} as h offset 0) d
     cross join lateral (select ${fromMeSql('d.h')} as from_me, (d.h >> 14) % 1000 as t,
       c.start_ms + floor((c.end_ms - c.start_ms) * ((k - 1) + ((d.h >> 38) % 1000) / 1000.0) / c.n)::bigint as at_ms offset 0) x
     cross join lateral (select case when not x.from_me then 'in' when (d.h >> 7) % 10 < 7 then 'dash' else 'phone' end as origin offset 0) o
     cross join lateral (select case when o.origin = 'dash' and x.t >= 85 and x.t < 93 then 'TEXT' else ${TYPE_SQL} end as type,
       case when o.origin = 'dash' then x.at_ms else x.at_ms / 1000 * 1000 end as ts_ms,
       case when o.origin = 'dash' then x.at_ms else x.at_ms / 1000 * 1000 + 300 + (d.h >> 48) % 2500 end as created_ms offset 0) y`,
  );

  const mime = `case type when 'IMAGE' then 'image/jpeg' when 'VIDEO' then 'video/mp4' when 'VOICE' then 'audio/ogg; codecs=opus'
    when 'DOCUMENT' then 'application/pdf' else 'image/webp' end`;
  const body = `case when type = 'TEXT' then substr('${LOREM}', 1 + ((h >> 20) % 200)::int, 12 + ((h >> 28) % 180)::int)
    when type in ('IMAGE', 'VIDEO') and (h >> 20) % 10 < 3 then substr('${LOREM}', 1 + ((h >> 20) % 300)::int, 30) end`;
  const actor = `case origin when 'dash' then 'user:bench-agent-' || (h >> 50) % 5 else 'system:waha-webhook' end`;
  await timed(
    pool,
    'media',
    `insert into media (id, tenant_id, session_id, direction, state, mimetype, filename, size, sha256, storage_key,
       source_url, failure_reason, attempts, next_attempt_at, locked_until, created_at, updated_at, created_by, updated_by)
     select media_pk, tenant_id, session_id, case when origin = 'dash' then 'OUTBOUND' else 'INBOUND' end, 'READY', ${mime},
       case when type = 'DOCUMENT' then 'invoice-' || k || '.pdf' end, 5000 + (h >> 8) % 2000000,
       md5(waha_id) || md5(media_pk), tenant_id || '/' || media_pk,
       case when origin <> 'dash' then 'http://waha:3000/api/files/' || session_id || '/' || waha_id || '.bin' end,
       null, case when origin = 'dash' then 0 else 1 end, null, null, ${at('created_ms')}, ${at('created_ms + 1500')},
       ${actor}, case when origin = 'dash' then ${actor} else 'system:media-download' end
     from bench_growth_messages where media_pk is not null order by created_ms`,
  );
  await timed(
    pool,
    'chats',
    `insert into chats (id, tenant_id, session_id, chat_id, alt_chat_id, name, participants, participants_fetched_at,
       unread_count, last_message_id, activity_at, created_at, updated_at, created_by, updated_by)
     select c.pk, c.tenant_id, c.session_id, c.chat_id, c.alt_chat_id, c.name, null, null, c.unread, null,
       ${at('m.ts_ms')}, ${at('c.start_ms')}, ${at('m.created_ms')}, 'system:waha-webhook', 'system:waha-webhook'
     from bench_growth_chats c join bench_growth_messages m on m.chat_pk = c.pk and m.last
     order by c.start_ms`,
  );
  await timed(
    pool,
    'messages',
    `insert into messages (id, tenant_id, session_id, chat_id, waha_id, from_me, body, has_media, type, media_id,
       reply_to_waha_id, reply_to_excerpt, author_id, author_phone_id, location, vcards, edited_at, previous_body,
       revoked_at, "timestamp", ack, failure_reason, idempotency_key, created_at, updated_at, created_by, updated_by)
     select pk, tenant_id, session_id, chat_pk, waha_id, from_me, ${body}, media_pk is not null, type, media_pk,
       reply_to, case when reply_to is not null then substr('${LOREM}', 1 + ((h >> 34) % 300)::int, 40) end,
       case when is_group and not from_me then split_part(waha_id, '_', 4) end, null,
       case when type = 'LOCATION' then jsonb_build_object('latitude', (52.4 + (h % 300) / 1000.0)::text,
         'longitude', (13.3 + (h % 500) / 1000.0)::text, 'live', false) end,
       null, null, null, null, ${at('ts_ms')},
       case when not from_me then 1 when type = 'VOICE' then 4 when ts_ms > ${nowMs - DAY_MS} then 2 else 3 end,
       null, case when origin = 'dash' and (h >> 44) % 10 < 3 then 'order-' || substr(md5(pk), 1, 16) end,
       ${at('created_ms')}, ${at(`created_ms + case when from_me then 4000 else 0 end`)},
       ${actor}, case when from_me then 'system:waha-webhook' else ${actor} end
     from bench_growth_messages order by created_ms`,
  );
  await timed(
    pool,
    'last messages',
    `update chats set last_message_id = m.pk from bench_growth_messages m where m.last and chats.id = m.chat_pk`,
  );
  await timed(
    pool,
    'reactions',
    `insert into message_reactions (session_id, message_waha_id, sender_id, tenant_id, reaction, from_me, "timestamp", updated_at)
     select session_id, waha_id, case when not from_me then me when is_group then '49172' || lpad(((h >> 40) % 300)::text, 8, '0') || '@c.us'
       else chat_id end, tenant_id, (array['👍', '❤️', '😂', '🙏'])[1 + (h >> 52) % 4], not from_me,
       ${at('ts_ms + 60000')}, ${at('ts_ms + 60000')}
     from bench_growth_messages where reacted`,
  );
  await timed(
    pool,
    'webhook events',
    `insert into webhook_events (session_id, id, tenant_id, event, occurred_at, received_at)
     select session_id, event_id, tenant_id, case origin when 'in' then 'message' when 'phone' then 'message.any' else 'message.ack' end,
       ${at(`case when origin = 'dash' then ts_ms + 3000 else created_ms - 250 end`)},
       ${at(`case when origin = 'dash' then ts_ms + 3200 else created_ms end`)}
     from bench_growth_messages order by created_ms`,
  );
  await timed(
    pool,
    'outbox commands',
    `insert into outbox_commands (id, tenant_id, type, session_id, payload, status, attempts, next_attempt_at,
       locked_until, last_error, created_at, delivered_at)
     select command_id, tenant_id, case when origin = 'in' then 'message.received' else 'message.send' end, session_id,
       case when origin = 'in' then jsonb_build_object('chatId', chat_id, 'messageId', waha_id, 'from', chat_id,
           'body', ${body}, 'timestamp', to_char(${at('ts_ms')} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
           'hasMedia', media_pk is not null)
         else jsonb_build_object('messageId', pk, 'chatId', chat_id, 'phoneNumber', null, 'text', coalesce(${body}, ''),
           'replyTo', reply_to, 'media', case when media_pk is not null then jsonb_build_object('kind', lower(type),
           'url', 'https://hub.example.com/media/' || media_pk, 'mimetype', ${mime}, 'filename', null) end) end,
       'DELIVERED', 1, ${at('created_ms')}, null, null, ${at('created_ms')}, ${at('created_ms + 80')}
     from bench_growth_messages where command_id is not null order by created_ms`,
  );
  await pool.query(`drop table bench_growth_chats, bench_growth_messages`);
  await timed(
    pool,
    'vacuum analyze',
    `vacuum (analyze) whatsapp_sessions, chats, messages, media, message_reactions, webhook_events, outbox_commands`,
  );
  const { rows } = await pool.query<Record<string, number>>(
    `select (select count(*) from messages)::int as messages, (select count(*) from chats)::int as chats,
       (select count(*) from media)::int as media, (select count(*) from message_reactions)::int as reactions,
       (select count(*) from webhook_events)::int as webhook_events, (select count(*) from outbox_commands)::int as outbox_commands`,
  );
  return { sessions, counts: rows[0]!, ms: Date.now() - t0 };
}

/** A page the dashboard asks for: a session's chats, or with `chatId` (WAHA's) a chat's messages. */
export interface PageAsked {
  title: string;
  tenantId: string;
  sessionId: string;
  chatId?: string;
}

export interface ExplainedSql {
  title: string;
  sql: string;
  plan: string;
  /** EXPLAIN ANALYZE's execution time, ms. */
  ms: number;
}

/**
 * The SQL the service runs for each page (first: 50), taken from its own code: ChatPagesService
 * on a MikroORM of the service's config with query logging on, which logs each statement as it
 * is sent (MikroORM inlines the parameters); each SELECT then explained on `pool`.
 */
export async function explainPages(dbUrl: string, pool: Pool, pages: PageAsked[]): Promise<ExplainedSql[]> {
  const { sqlCapturingOrm } = await import('../support/sql-capture.js');
  const { ChatPagesService } = await import('../../src/chats/chat-pages.service.js');
  const { orm, take } = await sqlCapturingOrm(dbUrl);
  const out: ExplainedSql[] = [];
  const ask = async (page: PageAsked) => {
    const em = orm.em.fork();
    em.setFilterParams('tenant', { tenantId: page.tenantId });
    const service = new ChatPagesService(em);
    if (page.chatId === undefined) await service.chats({ sessionId: page.sessionId, first: 50 });
    else await service.messages({ sessionId: page.sessionId, chatId: page.chatId, first: 50 });
  };
  try {
    // Once unrecorded (the ORM connects, the pages' rows are read in as the benchmark's were).
    for (const page of pages) await ask(page);
    for (const page of pages) {
      take();
      await ask(page);
      for (const sql of take().filter((q) => /^\s*select/i.test(q))) {
        const { rows } = await pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${sql}`);
        const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        out.push({
          title: page.title,
          sql,
          plan,
          ms: Number(/Execution Time: ([\d.]+)/.exec(plan)?.[1] ?? NaN),
        });
      }
    }
  } finally {
    await orm.close();
  }
  return out;
}
