/**
 * Chats end to end: a dashboard sends a text, the outbox hands message.send to the real n8n
 * workflow, which checks the session, resolves the number with check-exists and calls sendText
 * on the WAHA simulator, then reports SENT; the simulator's acks arrive as real signed webhooks
 * and move the message to DELIVERED and READ. Then chats.sync through the real workflow, twice.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { eventually } from '../support/eventually.js';
import { startStack, type Stack } from './support/stack.js';

const MESSAGE = `id localId wahaId chatId fromMe body ack ackName status failureReason`;
const CREATE = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id } }`;
const STATUS = `query($id: ID!) { whatsappSession(id: $id) { status } }`;
const SEND = `mutation($s: ID!, $to: String!, $text: String!) { sendWhatsappMessage(sessionId: $s, to: $to, text: $text) { ${MESSAGE} } }`;
const MESSAGES = `query($s: ID!, $c: ID!) { messages(sessionId: $s, chatId: $c) { edges { node { ${MESSAGE} } } } }`;
const CHATS = `query($s: ID!) { chats(sessionId: $s, first: 100) { edges { node { id chatId unreadCount lastMessage { id body } } } } }`;
const SYNC = `mutation($s: ID!) { syncWhatsappChats(sessionId: $s) }`;

/** n8n's runs take seconds each, and minutes on a busy machine; polled gently, as a dashboard would. */
const POLL = { timeoutMs: 180_000, intervalMs: 200 };

interface Message {
  id: string;
  localId: string;
  wahaId: string | null;
  chatId: string;
  status: string;
  ack: number;
  failureReason: string | null;
}

describe('chats through the real n8n and the WAHA simulator', () => {
  let stack: Stack;
  let token: string;
  let sessionId: string;

  const messagesOf = async (chatId: string): Promise<Message[]> => {
    const result = await stack.gql<{ messages: { edges: { node: Message }[] } }>(
      MESSAGES,
      { s: sessionId, c: chatId },
      token,
    );
    return result.data?.messages.edges.map((e) => e.node) ?? [];
  };
  const onlyMessage = (chatId: string, expected: Partial<Record<keyof Message, unknown>>) =>
    eventually(async () => {
      const list = await messagesOf(chatId);
      expect(list).toEqual([expect.objectContaining(expected)]);
      return list[0]!;
    }, POLL);

  beforeAll(async () => {
    stack = await startStack({ timeScale: 0.1 });
    token = await stack.token('chats-e2e');
    const created = await stack.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { input: { displayName: 'Chats' } },
      token,
    );
    sessionId = created.data!.createWhatsappSession.id;
    await eventually(() => expect(stack.sim.session(sessionId)?.status).toBe('SCAN_QR_CODE'), POLL);
    stack.sim.link(sessionId, { id: '4915100000077@c.us', pushName: 'Shop' });
    await eventually(async () => {
      const read = await stack.gql<{ whatsappSession: { status: string } }>(STATUS, { id: sessionId }, token);
      expect(read.data?.whatsappSession.status).toBe('WORKING');
    }, POLL);
  }, 5 * 60_000);

  afterAll(async () => {
    await stack?.close();
  }, 60_000);

  it('sends: PENDING → SENT (n8n, with WAHA’s id) → DELIVERED → READ (WAHA’s acks)', async () => {
    const sent = await stack.gql<{ sendWhatsappMessage: Message }>(
      SEND,
      { s: sessionId, to: '+49 170 0000001', text: 'Hello' },
      token,
    );
    expect(sent.errors).toBeUndefined();
    const pending = sent.data!.sendWhatsappMessage;
    expect(pending).toMatchObject({ chatId: '491700000001@c.us', status: 'PENDING', ack: 0, wahaId: null });
    expect(pending.id).toMatch(/^wm_/);
    expect(pending.localId).toBe(pending.id);

    // SENT with WAHA's id next to ours, which stays the same.
    const accepted = await onlyMessage('491700000001@c.us', {
      status: 'SENT',
      wahaId: expect.stringMatching(/^true_/),
    });
    expect(accepted).toMatchObject({ id: pending.id, localId: pending.localId });
    expect(accepted.wahaId).toMatch(/^true_491700000001@c\.us_/);
    // n8n resolved the number and sent it through WAHA.
    const calls = stack.sim.requests().map((r) => r.operation);
    expect(calls).toEqual(expect.arrayContaining(['GET /api/contacts/check-exists', 'POST /api/sendText']));

    stack.sim.ack(sessionId, accepted.wahaId!, 'DEVICE');
    await onlyMessage('491700000001@c.us', { status: 'DELIVERED' });
    stack.sim.ack(sessionId, accepted.wahaId!, 'READ');
    const read = await onlyMessage('491700000001@c.us', { status: 'READ' });
    expect(read).toMatchObject({ id: pending.id, wahaId: accepted.wahaId, ack: 3 });
  });

  it('reports FAILED when the number is not on WhatsApp', async () => {
    stack.sim.setNumberExists('491700000002', false);
    const sent = await stack.gql<{ sendWhatsappMessage: Message }>(
      SEND,
      { s: sessionId, to: '+49 170 0000002', text: 'Anyone?' },
      token,
    );
    expect(sent.errors).toBeUndefined();
    const failed = await onlyMessage('491700000002@c.us', { status: 'FAILED' });
    expect(failed.failureReason).toEqual(expect.any(String));
  });

  it('syncs WAHA’s chats through n8n into the same rows, without duplicates', async () => {
    stack.sim.inbound(sessionId, {
      from: '4917000000009@c.us',
      body: 'Inbound before sync',
      pushName: 'Sync Friend',
    });
    await eventually(async () => expect(await messagesOf('4917000000009@c.us')).toHaveLength(1), POLL);
    expect((await stack.gql<{ syncWhatsappChats: boolean }>(SYNC, { s: sessionId }, token)).data).toEqual({
      syncWhatsappChats: true,
    });
    // WAHA knows the chat's name (the webhook did not carry it): it arrives with n8n's upsertChats.
    await eventually(async () => {
      const [row] = await stack.sql<{ name: string | null }>(
        `select name from chats where session_id = ? and chat_id = ?`,
        [sessionId, '4917000000009@c.us'],
      );
      expect(row?.name).toBe('Sync Friend');
    }, POLL);
    // The last chat's messages are read by n8n after the overview: wait for that read, then for its write-back.
    const wahaChats = stack.sim.session(sessionId)!.chats;
    await eventually(() => {
      const read = stack.sim
        .requests()
        .filter((r) => r.operation === 'GET /api/{session}/chats/{chatId}/messages')
        .map((r) => r.path);
      expect(new Set(read).size).toBeGreaterThanOrEqual(wahaChats.length);
    }, POLL);
    const chats = await stack.gql<{ chats: { edges: { node: { id: string; chatId: string } }[] } }>(
      CHATS,
      { s: sessionId },
      token,
    );
    const chatIds = chats.data!.chats.edges.map((e) => e.node.chatId);
    expect(new Set(chatIds).size).toBe(chatIds.length);
    expect(chatIds).toEqual(expect.arrayContaining(wahaChats.map((c) => c.id)));
    for (const chat of wahaChats) {
      // WAHA's messages: those it has an id for (a send it never accepted has none).
      const ours = (await messagesOf(chat.id)).filter((m) => m.wahaId !== null);
      expect(ours).toHaveLength(chat.messages);
    }
  });
});
