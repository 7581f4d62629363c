import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import {
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
  webhooksSettled,
} from '../support/linked-session.js';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { chatsApi, SYNC, UPSERT_CHATS, UPSERT_MESSAGES } from './support/chats-api.js';

describe('chats.sync: WAHA’s chats imported into the same rows', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let sim: WahaSimulator;
  let s: LinkedSession;
  const { chats, send, sendCommand, wahaSendText, reportSent, rowsOf } = chatsApi(() => f);

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'chat-co' });
    ({ t, sim, session: s } = f);
  });
  afterAll(async () => {
    await f?.close();
  });

  /** What a sync finds in WAHA: inbound messages of two chats, and one we sent, reported SENT. */
  async function seed() {
    sim.inbound(s.id, { from: '4917000000001@c.us', body: 'Hi', pushName: 'Ann' });
    sim.inbound(s.id, { from: '4917000000002@c.us', body: 'Hello' });
    await webhooksSettled(sim, s.id);
    const pending = (await send(s, '4917000000001@c.us', 'Hi Ann')).data!.sendWhatsappMessage;
    const command = (await sendCommand(pending.id))!;
    const wahaId = await wahaSendText(s, command);
    await webhooksSettled(sim, s.id);
    await reportSent(command.messageId, wahaId);
  }

  it('syncs WAHA’s chats into the same rows, without duplicates; a second sync changes nothing', async () => {
    await seed();
    expect((await chats(s)).edges).toHaveLength(2);
    // Everything sent so far was reported, so every message has WAHA's id.
    const synced = await t.gql<{ syncWhatsappChats: boolean }>(SYNC, { sessionId: s.id }, { token: s.token });
    expect(synced.data).toEqual({ syncWhatsappChats: true });
    expect((await t.gql(SYNC, { sessionId: s.id }, { token: s.token })).data).toEqual({
      syncWhatsappChats: false,
    });
    const [command] = await sql<{ payload: unknown }>(
      t,
      `select payload from outbox_commands where type = 'chats.sync' and session_id = ?`,
      [s.id],
    );
    expect(command!.payload).toEqual({ chatsLimit: 20, messagesLimit: 20 });

    // n8n's chats.sync workflow against the simulator.
    const runSync = async () => {
      const overview = (await (await fetch(`${sim.url}/api/${s.id}/chats/overview?limit=20`)).json()) as {
        id: string;
      }[];
      const chatsResult = await internalGql<{ upsertChats: Record<string, number> }>(t, UPSERT_CHATS, {
        input: { sessionId: s.id, chats: overview },
      });
      const totals = {
        chats: chatsResult.data!.upsertChats,
        messages: { created: 0, updated: 0, unchanged: 0 },
      };
      for (const chat of overview) {
        const list = await (
          await fetch(`${sim.url}/api/${s.id}/chats/${encodeURIComponent(chat.id)}/messages?limit=20`)
        ).json();
        const result = await internalGql<{ upsertMessages: Record<string, number> }>(t, UPSERT_MESSAGES, {
          input: { sessionId: s.id, messages: list },
        });
        for (const key of ['created', 'updated', 'unchanged'] as const)
          totals.messages[key] += result.data!.upsertMessages[key]!;
      }
      return { overview, totals };
    };
    const before = await sql<{ chat_id: string }>(t, `select chat_id from chats where session_id = ?`, [
      s.id,
    ]);
    const first = await runSync();
    expect(first.overview.map((chat) => chat.id).sort()).toEqual([
      '4917000000001@c.us',
      '4917000000002@c.us',
    ]);
    expect(first.totals.chats.created).toBe(0);
    expect(first.totals.messages).toEqual({ created: 0, updated: 0, unchanged: 3 });
    const after = await sql<{ chat_id: string }>(t, `select chat_id from chats where session_id = ?`, [s.id]);
    expect(after.map((r) => r.chat_id).sort()).toEqual(before.map((r) => r.chat_id).sort());
    const wahaIds = await sql<{ waha_id: string }>(
      t,
      `select waha_id from messages where session_id = ? and waha_id is not null`,
      [s.id],
    );
    expect(new Set(wahaIds.map((r) => r.waha_id)).size).toBe(wahaIds.length);

    const rows = await rowsOf(s);
    const second = await runSync();
    expect(second.totals.chats).toEqual({ created: 0, updated: 0, unchanged: first.overview.length });
    expect(second.totals.messages.created + second.totals.messages.updated).toBe(0);
    expect(await rowsOf(s)).toBe(rows);
  });

  it('imports chats WAHA has and webhooks never told us about, with WAHA’s unread count', async () => {
    const fresh = await f.link('chat-co', { displayName: 'Import line' });
    const chatId = '4917000000099@c.us';
    const message = inboundMessage(fresh, chatId, 'Old news', 1_700_000_000);
    const result = await internalGql<{ upsertChats: Record<string, number> }>(t, UPSERT_CHATS, {
      input: {
        sessionId: fresh.id,
        chats: [
          { id: chatId, name: 'Old friend', picture: null, lastMessage: message, _chat: { unreadCount: 4 } },
        ],
      },
    });
    expect(result.data!.upsertChats).toEqual({ created: 1, updated: 0, unchanged: 0 });
    const [chat] = (await chats(fresh)).edges.map((e) => e.node);
    expect(chat).toMatchObject({
      id: expect.stringMatching(/^wc_/),
      chatId,
      name: 'Old friend',
      unreadCount: 4,
      lastMessage: { body: 'Old news', id: expect.stringMatching(/^wm_/), wahaId: message.id },
    });
    expect(chat!.lastActivityAt).toBe(new Date(1_700_000_000_000).toISOString());
    // History is not news: no automation command for it.
    expect(
      await sql(t, `select * from outbox_commands where type = 'message.received' and session_id = ?`, [
        fresh.id,
      ]),
    ).toEqual([]);
    const bad = await internalGql(t, UPSERT_MESSAGES, {
      input: { sessionId: fresh.id, messages: [message, { id: 'x' }] },
    });
    expect(bad.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input.messages[1]' } }),
    ]);
  });
});
