import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { DomainError } from '../../src/common/domain-error.js';
import { ChatPagesService } from '../../src/chats/chat-pages.service.js';
import { sql, startTestApp, type TestApp } from '../support/app.js';
import { sqlCapturingOrm } from '../support/sql-capture.js';
import { internalGql } from '../support/internal-api.js';
import { CREATE_SESSION } from '../support/linked-session.js';
import { UPSERT_MESSAGES } from './support/chats-api.js';

/**
 * What keeps deletes and the messages page independent of how many rows are stored (issue 15,
 * target 6, see test/bench/README.md `growth`), asserted on plans and SQL, not on time:
 *  - every foreign key's referencing columns lead an index, except the tenant's (a tenant's
 *    removal scans each table once, not once per row); without one, PostgreSQL's `on delete`
 *    trigger scanned the whole referencing table for every deleted row (all chats per deleted
 *    message, all messages per deleted media row);
 *  - those triggers' own lookups (a parameter, a generic plan) are index scans;
 *  - the messages page is one statement on `messages` alone, bounded by the chat and its tenant,
 *    and another tenant's chat is not found before it runs.
 */
describe('growth: foreign keys with indexes, and the messages page on messages alone', () => {
  let t: TestApp;
  const ME = '4915100000901@c.us';
  const CHAT = '4917000000901@c.us';
  const tenants: Record<'a' | 'b', { token: string; id: string; sessionId: string }> = {} as never;

  const message = (n: number) => ({
    id: `false_${CHAT}_3EB0GROWTH${n}`,
    timestamp: 1_800_000_000 + n,
    from: CHAT,
    fromMe: false,
    to: ME,
    body: `m${n}`,
    hasMedia: false,
    ack: 1,
  });

  beforeAll(async () => {
    t = await startTestApp();
    for (const slug of ['a', 'b'] as const) {
      const token = await t.token(`growth-${slug}`);
      const created = await t.gql<{ createWhatsappSession: { id: string } }>(
        CREATE_SESSION,
        { input: { displayName: `Growth ${slug}` } },
        { token },
      );
      const sessionId = created.data!.createWhatsappSession.id;
      const [row] = await sql<{ tenant_id: string }>(
        t,
        `select tenant_id from whatsapp_sessions where id = ?`,
        [sessionId],
      );
      tenants[slug] = { token, id: row!.tenant_id, sessionId };
    }
    const stored = await internalGql(t, UPSERT_MESSAGES, {
      input: { sessionId: tenants.a.sessionId, messages: [1, 2, 3].map(message) },
    });
    expect(stored.errors).toBeUndefined();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has an index led by the referencing columns of every foreign key but the tenant ones', async () => {
    const unindexed = await sql<{ fk: string }>(
      t,
      `select c.conrelid::regclass || '(' || (select string_agg(a.attname, ',' order by a.attnum) from pg_attribute a
           where a.attrelid = c.conrelid and a.attnum = any(c.conkey)) || ')' as fk
       from pg_constraint c
       where c.contype = 'f' and not exists (select 1 from pg_index i where i.indrelid = c.conrelid
         and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
         and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)
       order by 1`,
    );
    const others = unindexed.map((r) => r.fk).filter((fk) => !fk.endsWith('(tenant_id)'));
    expect(others).toEqual([]);
  });

  it.each([
    ['chats', 'last_message_id', 'chats_last_message_id_index'],
    ['messages', 'media_id', 'messages_media_id_index'],
  ])(
    "finds the %s naming a deleted row with an index, as the foreign key's trigger asks (by %s)",
    async (table, column, index) => {
      const orm = t.app.get(MikroORM);
      // One connection: the settings, the prepared statement and the EXPLAIN share it.
      const plan = await orm.em.fork().transactional(async (em) => {
        // The table holds a few rows: the planner would scan them whatever the indexes; with
        // sequential scans priced out, it takes an index if one fits the lookup.
        await em.execute(`set local enable_seqscan = off`);
        await em.execute(`set local plan_cache_mode = force_generic_plan`);
        await em.execute(
          `prepare fk_lookup(varchar) as select 1 from only ${table} x where ${column} = $1 for key share of x`,
        );
        try {
          const rows = await em.execute<{ 'QUERY PLAN': string }[]>(`explain execute fk_lookup('x')`);
          return rows.map((r) => r['QUERY PLAN']).join('\n');
        } finally {
          await em.execute(`deallocate fk_lookup`);
        }
      });
      expect(plan).toContain(index);
      expect(plan).not.toContain('Seq Scan');
    },
  );

  describe('the messages page', () => {
    let orm: MikroORM;
    let take: () => string[];
    beforeAll(async () => {
      ({ orm, take } = await sqlCapturingOrm(t.db.url));
    });
    afterAll(async () => {
      await orm?.close(true);
    });
    const page = (tenant: 'a' | 'b', sessionId: string) => {
      const em = orm.em.fork();
      em.setFilterParams('tenant', { tenantId: tenants[tenant].id });
      take();
      return new ChatPagesService(em).messages({ sessionId, chatId: CHAT, first: 50 });
    };

    it('reads messages alone, bounded by the chat and its tenant, newest first', async () => {
      const result = await page('a', tenants.a.sessionId);
      expect(result.items.map((m) => m.body)).toEqual(['m3', 'm2', 'm1']);
      const pageSql = take().filter((q) => /from "messages" as "m0"/.test(q) && /order by/i.test(q));
      expect(pageSql).toHaveLength(1);
      expect(pageSql[0]).not.toMatch(/join/i);
      expect(pageSql[0]).toContain(`"m0"."tenant_id" = '${tenants.a.id}'`);
      expect(pageSql[0]).toMatch(/"m0"\."chat_id" = '\w{26}'/);
    });

    it("finds no chat for another tenant, before any message is read (A's session, or B's with A's chat id)", async () => {
      for (const sessionId of [tenants.a.sessionId, tenants.b.sessionId]) {
        const asked = page('b', sessionId);
        await expect(asked).rejects.toBeInstanceOf(DomainError);
        await expect(asked).rejects.toMatchObject({ code: 'NOT_FOUND' });
        expect(take().filter((q) => /from "messages"/.test(q))).toEqual([]);
      }
    });
  });

  it("deleting a chat's last message and a message's file clears both references", async () => {
    const [last] = await sql<{ id: string; chat_id: string }>(
      t,
      `select m.id, m.chat_id from messages m join chats c on c.last_message_id = m.id where m.session_id = ?`,
      [tenants.a.sessionId],
    );
    await sql(
      t,
      `insert into media (id, tenant_id, session_id, direction, state, attempts, created_at, updated_at, created_by, updated_by)
       values ('01GROWTHMEDIA0000000000000', ?, ?, 'INBOUND', 'READY', 0, now(), now(), 'system:test', 'system:test')`,
      [tenants.a.id, tenants.a.sessionId],
    );
    const [other] = await sql<{ id: string }>(
      t,
      `update messages set media_id = '01GROWTHMEDIA0000000000000' where session_id = ? and id <> ? returning id`,
      [tenants.a.sessionId, last!.id],
    );
    await sql(t, `delete from media where id = '01GROWTHMEDIA0000000000000'`);
    await sql(t, `delete from messages where id = ?`, [last!.id]);
    const [chat] = await sql<{ last_message_id: string | null }>(
      t,
      `select last_message_id from chats where id = ?`,
      [last!.chat_id],
    );
    const [withFile] = await sql<{ media_id: string | null }>(
      t,
      `select media_id from messages where id = ?`,
      [other!.id],
    );
    expect(chat!.last_message_id).toBeNull();
    expect(withFile!.media_id).toBeNull();
  });
});
