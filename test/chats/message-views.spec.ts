import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { createOrmConfig } from '../../mikro-orm.config.js';
import { newRowId } from '../../src/database/row-ids.js';
import { type MessageRecord } from '../../src/chats/chats.mapper.js';
import { loadMessageForPublish, loadMessageParts } from '../../src/chats/message-views.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * loadMessageParts and loadMessageForPublish against PostgreSQL: one query per kind for a whole
 * page, only the session's own rows, removed reactions and revoked media hidden.
 */
describe('message parts (media, reactions) of a list of messages', () => {
  let db: TestDatabase;
  let orm: MikroORM;
  const at = (second: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, second));

  const run = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    orm.em.getConnection().execute<T[]>(query, params);

  /** A tenant with one session and one chat. */
  async function tenantWithChat(slug: string) {
    const [tenant] = await run<{ id: string }>(
      `insert into tenants (id, slug, name, created_at, updated_at) values (gen_random_uuid(), ?, ?, now(), now()) returning id`,
      [slug, slug],
    );
    const sessionId = `ws_${slug}`;
    await run(
      `insert into whatsapp_sessions (id, tenant_id, display_name, auth_method, status, webhook_hmac_key, created_at, updated_at, created_by, updated_by)
       values (?, ?, ?, 'QR', 'WORKING', 'key', now(), now(), 'test', 'test')`,
      [sessionId, tenant!.id, slug],
    );
    const chatPk = newRowId();
    await run(
      `insert into chats (id, tenant_id, session_id, chat_id, activity_at, created_at, updated_at, created_by, updated_by)
       values (?, ?, ?, '4917000000001@c.us', now(), now(), now(), 'test', 'test')`,
      [chatPk, tenant!.id, sessionId],
    );
    return { tenantId: tenant!.id, sessionId, chatPk };
  }

  type Owner = Awaited<ReturnType<typeof tenantWithChat>>;

  async function message(owner: Owner, wahaId: string, fields: { mediaId?: string; revoked?: boolean } = {}) {
    const id = newRowId();
    await run(
      `insert into messages (id, tenant_id, session_id, chat_id, waha_id, from_me, body, has_media, "timestamp", media_id, revoked_at, created_at, updated_at, created_by, updated_by)
       values (?, ?, ?, ?, ?, false, 'hi', ?, ?, ?, ?, now(), now(), 'test', 'test')`,
      [
        id,
        owner.tenantId,
        owner.sessionId,
        owner.chatPk,
        wahaId,
        fields.mediaId !== undefined,
        at(1),
        fields.mediaId ?? null,
        fields.revoked ? at(9) : null,
      ],
    );
    return id;
  }

  async function media(owner: Owner, state: string, extra: { size?: number; reason?: string } = {}) {
    const id = newRowId();
    await run(
      `insert into media (id, tenant_id, session_id, direction, state, mimetype, filename, size, sha256, failure_reason, created_at, updated_at, created_by, updated_by)
       values (?, ?, ?, 'INBOUND', ?, 'image/jpeg', 'photo.jpg', ?, ?, ?, now(), now(), 'test', 'test')`,
      [
        id,
        owner.tenantId,
        owner.sessionId,
        state,
        extra.size ?? null,
        extra.size ? 'ab'.repeat(32) : null,
        extra.reason ?? null,
      ],
    );
    return id;
  }

  async function reaction(owner: Owner, wahaId: string, sender: string, emoji: string, second: number) {
    await run(
      `insert into message_reactions (session_id, message_waha_id, sender_id, tenant_id, reaction, from_me, "timestamp", updated_at)
       values (?, ?, ?, ?, ?, false, ?, now())`,
      [owner.sessionId, wahaId, sender, owner.tenantId, emoji, at(second)],
    );
  }

  const record = (id: string, wahaId: string | null): MessageRecord => ({
    id,
    wahaId,
    fromMe: false,
    body: 'hi',
    hasMedia: false,
    timestamp: at(1),
    ack: 1,
    createdAt: at(1),
    updatedAt: at(1),
    createdBy: 'test',
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(createOrmConfig(db.url, { logger: () => undefined }));
  });
  afterAll(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  it("fills each message's media and current reactions, oldest first, in one query per kind", async () => {
    const a = await tenantWithChat('views-a');
    const ready = await media(a, 'READY', { size: 1234 });
    const failed = await media(a, 'FAILED', { reason: 'expired in WAHA' });
    const photo = await message(a, 'false_4917000000001@c.us_PHOTO', { mediaId: ready });
    const lost = await message(a, 'false_4917000000001@c.us_LOST', { mediaId: failed });
    const text = await message(a, 'false_4917000000001@c.us_TEXT');
    await reaction(a, 'false_4917000000001@c.us_PHOTO', '4917000000002@c.us', '👍', 5);
    await reaction(a, 'false_4917000000001@c.us_PHOTO', '4917000000001@c.us', '❤️', 3);
    // Removed: kept as '' (so an older reaction cannot come back), never shown.
    await reaction(a, 'false_4917000000001@c.us_PHOTO', '4917000000003@c.us', '', 7);
    // A reaction to a message not stored (yet): shown once it is, not on another message.
    await reaction(a, 'false_4917000000001@c.us_LATER', '4917000000002@c.us', '😂', 4);

    const queries: string[] = [];
    const em = orm.em.fork();
    const logged = em.getConnection();
    const execute = logged.execute.bind(logged);
    logged.execute = ((query: string, ...rest: never[]) => {
      queries.push(query);
      return execute(query, ...rest);
    }) as typeof logged.execute;
    const records = [
      record(photo, 'false_4917000000001@c.us_PHOTO'),
      record(lost, 'false_4917000000001@c.us_LOST'),
      record(text, 'false_4917000000001@c.us_TEXT'),
      // A message we sent that WAHA has not named yet.
      record(newRowId(), null),
    ];
    try {
      expect(await loadMessageParts(em, a.sessionId, records)).toBe(records);
    } finally {
      logged.execute = execute;
    }
    expect(queries).toHaveLength(2);

    expect(records.map((r) => [r.mediaView, r.reactions])).toEqual([
      [
        {
          id: ready,
          state: 'READY',
          mimetype: 'image/jpeg',
          filename: 'photo.jpg',
          size: 1234,
          sha256: 'ab'.repeat(32),
          failureReason: null,
        },
        [
          { senderId: '4917000000001@c.us', fromMe: false, reaction: '❤️', timestamp: at(3) },
          { senderId: '4917000000002@c.us', fromMe: false, reaction: '👍', timestamp: at(5) },
        ],
      ],
      [
        {
          id: failed,
          state: 'FAILED',
          mimetype: 'image/jpeg',
          filename: 'photo.jpg',
          size: null,
          sha256: null,
          failureReason: 'expired in WAHA',
        },
        [],
      ],
      [null, []],
      [null, []],
    ]);
  });

  it("never brings another session's parts, even for the same message ids and WAHA ids", async () => {
    const a = await tenantWithChat('views-own');
    const b = await tenantWithChat('views-other');
    const wahaId = 'false_4917000000001@c.us_SHARED';
    const bMedia = await media(b, 'READY', { size: 9 });
    const bMessage = await message(b, wahaId, { mediaId: bMedia });
    await reaction(b, wahaId, '4917000000009@c.us', '🔥', 2);
    const aMessage = await message(a, wahaId);

    // A's session asking for B's message row (as a forged id would) and for the shared WAHA id.
    const records = [record(bMessage, wahaId), record(aMessage, wahaId)];
    await loadMessageParts(orm.em.fork(), a.sessionId, records);
    expect(records.map((r) => [r.mediaView, r.reactions])).toEqual([
      [null, []],
      [null, []],
    ]);
  });

  it('shows neither media nor reactions for a revoked message, and nothing at all for no messages', async () => {
    const a = await tenantWithChat('views-revoked');
    const file = await media(a, 'READY', { size: 10 });
    const revoked = await message(a, 'false_4917000000001@c.us_GONE', { mediaId: file, revoked: true });
    await reaction(a, 'false_4917000000001@c.us_GONE', '4917000000002@c.us', '👍', 2);
    const records = [record(revoked, 'false_4917000000001@c.us_GONE')];
    await loadMessageParts(orm.em.fork(), a.sessionId, records);
    expect(records[0]!.mediaView).toBeNull();
    expect(records[0]!.reactions).toEqual([]);
    expect(await loadMessageParts(orm.em.fork(), a.sessionId, [])).toEqual([]);
  });

  it('reads one message for a publish with its chat and parts, only in its own tenant and session', async () => {
    const a = await tenantWithChat('views-publish');
    const b = await tenantWithChat('views-publish-b');
    const wahaId = 'false_4917000000001@c.us_PUB';
    const id = await message(a, wahaId);
    await reaction(a, wahaId, '4917000000002@c.us', '👍', 4);
    await run(`update messages set edited_at = ?, previous_body = 'hello' where id = ?`, [at(6), id]);

    const view = await loadMessageForPublish(orm.em, a, wahaId);
    expect(view?.chat).toMatchObject({ chatId: '4917000000001@c.us', unreadCount: 0 });
    expect(view?.message).toMatchObject({
      id,
      wahaId,
      body: 'hi',
      type: 'TEXT',
      editedAt: at(6),
      previousBody: 'hello',
      revokedAt: null,
      mediaView: null,
      reactions: [{ senderId: '4917000000002@c.us', fromMe: false, reaction: '👍', timestamp: at(4) }],
    });
    // Another tenant naming A's session, or A's session without the message: nothing.
    expect(
      await loadMessageForPublish(orm.em, { tenantId: b.tenantId, sessionId: a.sessionId }, wahaId),
    ).toBe(null);
    expect(await loadMessageForPublish(orm.em, b, wahaId)).toBeNull();
  });
});
