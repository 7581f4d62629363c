import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseGlobalId } from '../../src/common/global-ids.js';
import { sql, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import { type LinkedSession } from '../support/linked-session.js';
import { chatsApi, UPSERT_CHATS, UPSERT_MESSAGES } from './support/chats-api.js';
import {
  type InboundFixture,
  lookups,
  personMessage,
  startInboundFixture,
} from './support/inbound-fixture.js';

/**
 * n8n's write-backs and WAHA's acks respect one chat per contact: a sync names a chat or a
 * message by the contact's other id, an ack names a message by it, n8n reports our message sent
 * under one id while WAHA's copy came under the other.
 */
describe('one contact, one chat: syncs, acks and SENT reports', () => {
  let f: InboundFixture;
  let t: TestApp;
  let s: LinkedSession;
  let person = 0;
  const nextPerson = () => {
    person += 1;
    return { lid: `${287743475368000 + person}@lid`, pn: `${4917200000000 + person}@c.us` };
  };
  const { send, sendCommand, reportSent } = chatsApi(() => f);

  /** The session's chats that have `ids`, with their messages' WAHA ids and acks. */
  const chatsOf = (ids: string[]) =>
    sql<{
      chat_id: string;
      alt_chat_id: string | null;
      messages: { waha_id: string | null; ack: number }[] | null;
    }>(
      t,
      `select c.chat_id, c.alt_chat_id,
         (select json_agg(json_build_object('waha_id', m.waha_id, 'ack', m.ack) order by m.waha_id) from messages m where m.chat_id = c.id) as messages
       from chats c where c.session_id = ? and (c.chat_id = any(array[?]::text[]) or c.alt_chat_id = any(array[?]::text[]))
       order by c.created_at`,
      [s.id, ids, ids],
    );

  beforeAll(async () => {
    f = await startInboundFixture('ids-writebacks-co', 'NOWEB');
    ({ t, session: s } = f);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('a sync that names a chat by its other id links it; its messages under either id are the same rows', async () => {
    const { lid, pn } = nextPerson();
    const first = personMessage(s, lid);
    expect((await f.deliver('message', first)).status).toBe(200);
    // WAHA's overview names the chat by phone number, with its LID (Baileys' lidJid).
    const summary = {
      id: pn,
      name: 'Ann',
      _chat: { lidJid: lid, unreadCount: 1 },
      lastMessage: personMessage(s, pn),
    };
    const chats = await internalGql<{ upsertChats: Record<string, number> }>(t, UPSERT_CHATS, {
      input: { sessionId: s.id, chats: [summary] },
    });
    expect(chats.data?.upsertChats).toEqual({ created: 0, updated: 1, unchanged: 0 });
    // The chat's history, listed under the phone number: the first message again, and a photo.
    const copy = { ...first, id: first.id.replace(lid, pn), from: pn };
    const photo = {
      ...personMessage(s, pn),
      _data: { key: { remoteJid: pn.replace('@c.us', '@s.whatsapp.net') }, message: { imageMessage: {} } },
      hasMedia: true,
      media: { url: 'http://127.0.0.1:1/api/files/line/photo.png', mimetype: 'image/png', filename: null },
    };
    const messages = await internalGql<{ upsertMessages: Record<string, number> }>(t, UPSERT_MESSAGES, {
      input: { sessionId: s.id, messages: [copy, photo] },
    });
    expect(messages.data?.upsertMessages).toEqual({ created: 1, updated: 0, unchanged: 1 });
    const [chat, ...others] = await chatsOf([lid, pn]);
    expect(others).toEqual([]);
    expect(chat).toMatchObject({ chat_id: lid, alt_chat_id: pn });
    expect(chat!.messages!.map((m) => m.waha_id)).toEqual(
      [first.id, summary.lastMessage.id, photo.id].sort(),
    );
    const [media] = await sql(
      t,
      `select m.type, md.state, md.source_url from messages m join media md on md.id = m.media_id where m.waha_id = ?`,
      [photo.id],
    );
    expect(media).toEqual({ type: 'IMAGE', state: 'PENDING', source_url: photo.media.url });
    // Synced again: nothing changes.
    const again = await internalGql<{ upsertMessages: Record<string, number> }>(t, UPSERT_MESSAGES, {
      input: { sessionId: s.id, messages: [copy, photo] },
    });
    expect(again.data?.upsertMessages).toEqual({ created: 0, updated: 0, unchanged: 2 });
  });

  it('a sync that brings a chat WAHA names by LID only asks n8n for its number, once', async () => {
    const { lid } = nextPerson();
    for (let i = 0; i < 2; i++) {
      const result = await internalGql<{ upsertChats: Record<string, number> }>(t, UPSERT_CHATS, {
        input: { sessionId: s.id, chats: [{ id: lid, name: 'Bob' }] },
      });
      expect(result.data?.upsertChats).toEqual(
        i === 0 ? { created: 1, updated: 0, unchanged: 0 } : { created: 0, updated: 0, unchanged: 1 },
      );
    }
    expect((await lookups(t, s)).filter((l) => l.lid === lid)).toEqual([{ lid }]);
  });

  it('an ack that names a message by the chat’s other id moves that message on, held for nothing', async () => {
    const { lid, pn } = nextPerson();
    const message = personMessage(s, lid, { alt: pn });
    expect((await f.deliver('message', message)).status).toBe(200);
    const ack = {
      id: message.id.replace(lid, pn),
      from: pn,
      to: s.me,
      fromMe: false,
      ack: 3,
      ackName: 'READ',
    };
    expect((await f.deliver('message.ack', ack)).body['status']).toBe('stored');
    expect((await chatsOf([lid, pn]))[0]!.messages).toEqual([{ waha_id: message.id, ack: 3 }]);
    expect(await sql(t, `select * from message_ack_holds where session_id = ?`, [s.id])).toEqual([]);
  });

  it('our message reported SENT under one id replaces WAHA’s copy of it under the other', async () => {
    const { lid, pn } = nextPerson();
    expect((await f.deliver('message', personMessage(s, lid, { alt: pn }))).status).toBe(200);
    const pending = (await send(s, pn, 'Your order is ready')).data!.sendWhatsappMessage;
    expect(pending.id).toMatch(/^wm_/);
    expect(pending.wahaId).toBeNull();
    const command = await sendCommand(pending.id);
    expect(command?.chatId).toBe(lid);
    // WAHA's message.any copy of it came first, named by the phone number.
    const engineId = 'BAE5OURS00000001';
    const copy = {
      id: `true_${pn}_${engineId}`,
      timestamp: Math.floor(Date.now() / 1000),
      from: s.me,
      fromMe: true,
      source: 'api',
      to: pn,
      body: 'Your order is ready',
      hasMedia: false,
      ack: 2,
      ackName: 'DEVICE',
    };
    expect((await f.deliver('message.any', copy)).status).toBe(200);
    // n8n reports with the command's message id: the row key, as its API names messages.
    expect(command!.messageId).toBe(parseGlobalId(pending.id)!.key);
    const reported = await reportSent(command!.messageId, `true_${lid}_${engineId}`);
    expect(reported).toMatchObject({
      id: parseGlobalId(pending.id)!.key,
      wahaMessageId: `true_${lid}_${engineId}`,
      ack: 2,
    });
    const [chat, ...others] = await chatsOf([lid, pn]);
    expect(others).toEqual([]);
    expect(chat!.messages!.filter((m) => m.waha_id!.includes(engineId))).toEqual([
      { waha_id: `true_${lid}_${engineId}`, ack: 2 },
    ]);
  });
});
