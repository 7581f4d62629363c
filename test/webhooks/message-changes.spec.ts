import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import {
  changeReads,
  edit,
  engineId,
  eventId,
  message,
  reaction,
  revoke,
} from './support/message-change-events.js';

/**
 * WAHA's reactions, edits and revokes, through the real webhook endpoint, as the dashboard then
 * reads the message: a reaction per sender (changed, removed, never brought back by an older
 * one), an edit with the text before it, a revoke that clears the text for good.
 */
describe('POST /webhooks/waha: reactions, edits and revokes', () => {
  let f: LinkedSessionFixture;
  let a: LinkedSession;
  const { shown, rows } = changeReads(() => f);

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'changes-co' });
    a = f.session;
  });
  afterAll(async () => {
    await f?.close();
  });

  /** An inbound message of `from`, stored: its WAHA id. */
  async function stored(from: string, body: string, id = engineId()): Promise<string> {
    const payload = message(a, from, body, id);
    expect((await f.deliver('message', payload)).body).toMatchObject({ status: 'stored' });
    return payload.id;
  }

  it('shows a reaction, changes it, removes it, and an older reaction delivered later does not bring it back', async () => {
    const chat = '4917000000101@c.us';
    const wahaId = await stored(chat, 'nice shoes');
    const t0 = Date.now() - 60_000;
    const react = (text: string, at: number, options: { sender?: string; fromMe?: boolean } = {}) =>
      f.deliver('message.reaction', reaction(a, wahaId, text, options), { timestamp: at });

    expect((await react('👍', t0)).body).toEqual({ status: 'stored', eventId: expect.any(String) });
    expect((await shown(a, chat, wahaId))?.reactions).toEqual([
      { senderId: chat, fromMe: false, reaction: '👍', timestamp: new Date(t0).toISOString() },
    ]);

    // Our own reaction (from the phone) is the linked account's, and both show, oldest first.
    expect((await react('🙏', t0 + 500, { fromMe: true })).status).toBe(200);
    expect((await react('❤️', t0 + 1000)).status).toBe(200);
    expect((await shown(a, chat, wahaId))?.reactions).toEqual([
      { senderId: a.me, fromMe: true, reaction: '🙏', timestamp: new Date(t0 + 500).toISOString() },
      { senderId: chat, fromMe: false, reaction: '❤️', timestamp: new Date(t0 + 1000).toISOString() },
    ]);

    expect((await react('', t0 + 2000)).body).toMatchObject({ status: 'stored' });
    expect((await shown(a, chat, wahaId))?.reactions.map((r) => r.senderId)).toEqual([a.me]);

    // WAHA redelivers the first reaction under a new event id (or an older one arrives last).
    expect((await react('👍', t0 + 1500)).body).toEqual({
      status: 'stored',
      eventId: expect.any(String),
      reason: "the sender's newer reaction was already applied",
    });
    expect((await shown(a, chat, wahaId))?.reactions.map((r) => r.senderId)).toEqual([a.me]);
    const kept = (await rows(a)).reactions;
    expect(kept).toHaveLength(2);
    expect(kept).toEqual(
      expect.arrayContaining([
        [wahaId, chat, ''],
        [wahaId, a.me, '🙏'],
      ]),
    );
  });

  it('keeps a reaction that arrives before its message, and shows it once the message is stored', async () => {
    const chat = '4917000000102@c.us';
    const id = engineId();
    const payload = message(a, chat, 'a photo of the cat', id);
    expect((await f.deliver('message.reaction', reaction(a, payload.id, '😂'))).body).toMatchObject({
      status: 'stored',
    });
    expect(await shown(a, chat, payload.id)).toBeNull();

    expect((await f.deliver('message', payload)).status).toBe(200);
    expect((await shown(a, chat, payload.id))?.reactions).toEqual([
      expect.objectContaining({ senderId: chat, reaction: '😂' }),
    ]);
  });

  it('keeps group reactions per participant', async () => {
    const group = '120363000000000001@g.us';
    const id = engineId();
    const author = '4917000000103@c.us';
    const payload = {
      ...message(a, group, 'meeting at 5?', id),
      id: `false_${group}_${id}_${author}`,
      participant: author,
    };
    expect((await f.deliver('message', payload)).status).toBe(200);
    for (const sender of ['4917000000104@c.us', '4917000000105@c.us']) {
      expect((await f.deliver('message.reaction', reaction(a, payload.id, '👍', { sender }))).status).toBe(
        200,
      );
    }
    expect((await shown(a, group, payload.id))?.reactions.map((r) => r.senderId).sort()).toEqual([
      '4917000000104@c.us',
      '4917000000105@c.us',
    ]);
  });

  it('shows an edit with the text before it and when it was edited; an older edit delivered later changes nothing', async () => {
    const chat = '4917000000106@c.us';
    const id = engineId();
    const wahaId = await stored(chat, 'see you at 5', id);
    const at = Date.now() - 30_000;

    expect(
      (await f.deliver('message.edited', edit(a, chat, id, 'see you at 6'), { timestamp: at })).body,
    ).toEqual({
      status: 'stored',
      eventId: expect.any(String),
    });
    expect(await shown(a, chat, wahaId)).toMatchObject({
      body: 'see you at 6',
      previousBody: 'see you at 5',
      editedAt: new Date(at).toISOString(),
      revokedAt: null,
    });

    // An earlier edit that WAHA delivers last: recorded, not applied.
    expect(
      (await f.deliver('message.edited', edit(a, chat, id, 'see you at 5:30'), { timestamp: at - 5000 }))
        .body,
    ).toEqual({ status: 'stored', eventId: expect.any(String), reason: 'a newer edit was already applied' });
    expect(await shown(a, chat, wahaId)).toMatchObject({
      body: 'see you at 6',
      previousBody: 'see you at 5',
    });

    // A later edit keeps the text it replaces.
    expect(
      (await f.deliver('message.edited', edit(a, chat, id, 'see you at 7'), { timestamp: at + 5000 })).status,
    ).toBe(200);
    expect(await shown(a, chat, wahaId)).toMatchObject({
      body: 'see you at 7',
      previousBody: 'see you at 6',
      editedAt: new Date(at + 5000).toISOString(),
    });
  });

  it('clears the text of a revoked message for good: later edits, revokes and copies of the message do not bring it back', async () => {
    const chat = '4917000000107@c.us';
    const id = engineId();
    const original = message(a, chat, 'my card number is 1234', id);
    expect((await f.deliver('message', original)).status).toBe(200);
    const editedAt = Date.now() - 20_000;
    await f.deliver('message.edited', edit(a, chat, id, 'my card number is 12345'), { timestamp: editedAt });
    const at = editedAt + 1000;

    expect((await f.deliver('message.revoked', revoke(a, chat, id), { timestamp: at })).body).toEqual({
      status: 'stored',
      eventId: expect.any(String),
    });
    const gone = { body: null, previousBody: null, revokedAt: new Date(at).toISOString() };
    expect(await shown(a, chat, original.id)).toMatchObject({
      ...gone,
      editedAt: new Date(editedAt).toISOString(),
    });

    expect(
      (await f.deliver('message.edited', edit(a, chat, id, 'changed my mind'), { timestamp: at + 1000 }))
        .body,
    ).toEqual({
      status: 'stored',
      eventId: expect.any(String),
      reason: 'the message was revoked',
    });
    expect((await f.deliver('message.revoked', revoke(a, chat, id), { timestamp: at + 2000 })).body).toEqual({
      status: 'stored',
      eventId: expect.any(String),
      reason: 'the message was already revoked',
    });
    // WAHA's message.any copy of the message, delivered late.
    expect((await f.deliver('message.any', original)).status).toBe(200);
    expect(await shown(a, chat, original.id)).toMatchObject(gone);
  });

  it("applies WEBJS's revoke (the message under its own id, no revokedMessageId) and a group admin's", async () => {
    const chat = '4917000000108@c.us';
    const id = engineId();
    const wahaId = await stored(chat, 'oops, wrong chat', id);
    expect((await f.deliver('message.revoked', revoke(a, chat, id, { webjs: true }))).body).toMatchObject({
      status: 'stored',
    });
    expect((await shown(a, chat, wahaId))?.revokedAt).not.toBeNull();

    // In a group an admin deletes a member's message: the event names the admin, not the author.
    const group = '120363000000000002@g.us';
    const groupId = engineId();
    const author = '4917000000109@c.us';
    const posted = {
      ...message(a, group, 'spam', groupId),
      id: `false_${group}_${groupId}_${author}`,
      participant: author,
    };
    expect((await f.deliver('message', posted)).status).toBe(200);
    const byAdmin = revoke(a, group, groupId, { by: '4917000000110@c.us' });
    expect((await f.deliver('message.revoked', byAdmin)).body).toMatchObject({ status: 'stored' });
    expect(await shown(a, group, posted.id)).toMatchObject({ body: null, revokedAt: expect.any(String) });
  });

  it('answers 409 for an edit or revoke of a message not stored yet, records nothing, and applies WAHA’s retry once it is', async () => {
    const chat = '4917000000111@c.us';
    const id = engineId();
    const editId = eventId();
    const revokeId = eventId();
    const before = await rows(a);
    const editAt = Date.now() - 10_000;
    const early = await f.deliver('message.edited', edit(a, chat, id, 'fixed typo'), {
      id: editId,
      timestamp: editAt,
    });
    expect(early).toEqual({
      status: 409,
      body: {
        error: {
          code: 'MESSAGE_NOT_STORED',
          message:
            'The message this event changes is not stored yet; retry once it is (nothing was recorded)',
        },
      },
    });
    expect((await f.deliver('message.revoked', revoke(a, chat, id), { id: revokeId })).status).toBe(409);
    expect(await rows(a)).toEqual(before);

    const wahaId = await stored(chat, 'fixed typpo', id);
    // WAHA's retries: the same events, the same ids.
    expect(
      (await f.deliver('message.edited', edit(a, chat, id, 'fixed typo'), { id: editId, timestamp: editAt }))
        .body,
    ).toEqual({
      status: 'stored',
      eventId: editId,
    });
    expect(await shown(a, chat, wahaId)).toMatchObject({ body: 'fixed typo', previousBody: 'fixed typpo' });
    expect((await f.deliver('message.revoked', revoke(a, chat, id), { id: revokeId })).body).toEqual({
      status: 'stored',
      eventId: revokeId,
    });
    expect(await shown(a, chat, wahaId)).toMatchObject({ body: null, previousBody: null });
  });
});
