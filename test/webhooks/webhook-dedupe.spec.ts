import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';
import { sql, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import { deliver, hmacKeyOf, type LinkedSession, webhooksSettled } from '../support/linked-session.js';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { startWebhookFixture, type WebhookFixture, webhookPosts } from './support/webhook-posts.js';
import { inSecondOf } from '../support/waha-event.js';

describe('POST /webhooks/waha: one effect per event', () => {
  let f: WebhookFixture;
  let t: TestApp;
  let sim: WahaSimulator;
  let session: LinkedSession;
  const { inboundEvent, post, signed, counts } = webhookPosts(() => f);

  beforeAll(async () => {
    f = await startWebhookFixture('hooks-co');
    ({ t, sim, session } = f);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('stores a real inbound message WAHA delivers, signed with the session key, once for message and message.any', async () => {
    // Status events of the link may still be on their way: count from a quiet session.
    await webhooksSettled(sim, session.id);
    const before = await counts();
    const sent = sim.inbound(session.id, { from: '4917000000009@c.us', body: 'From the simulator' });
    await webhooksSettled(sim, session.id);
    const deliveries = sim
      .webhookDeliveries()
      .filter((d) => d.eventId && d.session === session.id && ['message', 'message.any'].includes(d.event));
    expect(deliveries.slice(-2).map((d) => [d.event, d.state, d.attempts.at(-1)?.status])).toEqual([
      ['message', 'delivered', 200],
      ['message.any', 'delivered', 200],
    ]);
    const [row] = await sql(t, `select body, from_me, has_media, ack from messages where waha_id = ?`, [
      sent.id,
    ]);
    expect(row).toEqual({ body: 'From the simulator', from_me: false, has_media: false, ack: 1 });
    const after = await counts();
    expect(after).toEqual({
      events: before.events + 2,
      messages: before.messages + 1,
      chats: before.chats + 1,
      commands: before.commands + 1,
    });
  });

  it('changes nothing on a replay: the same event delivered again is a 200 duplicate', async () => {
    const body = JSON.stringify(inboundEvent({ from: '4917000000002@c.us' }));
    const first = await post(body, signed(body));
    expect(first.body.status).toBe('stored');
    const before = await counts();
    const replay = await post(body, signed(body));
    expect(replay).toEqual({ status: 200, body: { status: 'duplicate', eventId: first.body.eventId } });
    expect(await counts()).toEqual(before);
  });

  it('has one effect for the same event delivered 16 times concurrently', async () => {
    const before = await counts();
    const event = inboundEvent({ from: '4917000000003@c.us' });
    const body = JSON.stringify(event);
    const answers = await Promise.all(Array.from({ length: 16 }, () => post(body, signed(body))));
    expect(answers.map((a) => a.status)).toEqual(Array(16).fill(200));
    expect(answers.map((a) => a.body.status).sort()).toEqual(
      ['stored', ...Array(15).fill('duplicate')].sort(),
    );
    expect(await counts()).toEqual({
      events: before.events + 1,
      messages: before.messages + 1,
      chats: before.chats + 1,
      commands: before.commands + 1,
    });
    const [chat] = await sql(t, `select unread_count from chats where session_id = ? and chat_id = ?`, [
      session.id,
      '4917000000003@c.us',
    ]);
    expect(chat).toEqual({ unread_count: 1 });
  });

  it('stores two first messages of a new chat, a copy and an early ack, all racing: each once, with the ack', async () => {
    // Each round: a new chat whose first two messages arrive at once, with WAHA's message.any copy
    // of the first and a READ ack of it. One statement creates the chat; the other message's
    // statement, which could not see it, is refused whole and runs again. The ack ends on the
    // message whichever comes first (held, then applied; or applied).
    const before = await counts();
    const rounds = 12;
    for (let i = 0; i < rounds; i++) {
      const from = `49170000077${String(i).padStart(2, '0')}@c.us`;
      const first = inboundEvent({ from });
      const second = inboundEvent({ from, body: 'And one more thing' });
      const copy = { ...first, id: `evt_${ulid().toLowerCase()}`, event: 'message.any' };
      const ack = {
        ...first,
        id: `evt_${ulid().toLowerCase()}`,
        event: 'message.ack',
        payload: { id: first.payload.id, from, to: session.me, fromMe: false, ack: 3, ackName: 'READ' },
      };
      const answers = await Promise.all(
        [first, second, copy, ack].map((event) => {
          const body = JSON.stringify(event);
          return post(body, signed(body));
        }),
      );
      expect(answers.map((a) => [a.status, a.body.status])).toEqual(Array(4).fill([200, 'stored']));
      const rows = await sql<{
        waha_id: string;
        ack: number;
        unread_count: number;
        last: boolean;
        holds: number;
      }>(
        t,
        `select m.waha_id, m.ack, c.unread_count, c.last_message_id in (select id from messages where chat_id = c.id) as last,
          (select count(*) from message_ack_holds h where h.session_id = m.session_id and h.waha_id = m.waha_id)::int as holds
        from messages m join chats c on c.id = m.chat_id where m.session_id = ? and c.chat_id = ? order by m.waha_id`,
        [session.id, from],
      );
      expect(rows).toEqual(
        [
          { waha_id: first.payload.id, ack: 3, unread_count: 2, last: true, holds: 0 },
          { waha_id: second.payload.id, ack: 1, unread_count: 2, last: true, holds: 0 },
        ].sort((a, b) => (a.waha_id < b.waha_id ? -1 : 1)),
      );
    }
    expect(await counts()).toEqual({
      events: before.events + 4 * rounds,
      messages: before.messages + 2 * rounds,
      chats: before.chats + rounds,
      commands: before.commands + 2 * rounds,
    });
  });

  it('has one effect when WAHA (the simulator) delivers every webhook twice, with the same request id', async () => {
    const before = await counts();
    sim.duplicateNextWebhooks(2);
    const sent = sim.inbound(session.id, { from: '4917000000004@c.us', body: 'twice' });
    await webhooksSettled(sim, session.id);
    const copies = sim.webhookDeliveries().filter((d) => d.duplicate && d.session === session.id);
    expect(copies.length).toBeGreaterThanOrEqual(2);
    expect(await counts()).toEqual({
      events: before.events + 2,
      messages: before.messages + 1,
      chats: before.chats + 1,
      commands: before.commands + 1,
    });
    const [command] = await sql<{ payload: Record<string, unknown> }>(
      t,
      `select payload from outbox_commands where type = 'message.received' and payload->>'messageId' = ?`,
      [sent.id],
    );
    expect(command!.payload).toEqual({
      chatId: '4917000000004@c.us',
      messageId: sent.id,
      from: '4917000000004@c.us',
      body: 'twice',
      timestamp: expect.stringMatching(inSecondOf(sent.timestamp)),
      hasMedia: false,
    });
  });

  it('stores nothing for a session removed while its key was still cached, and then refuses its events', async () => {
    const token = await t.token('gone-co');
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      `mutation { createWhatsappSession(input: { displayName: "Soon gone" }) { id } }`,
      {},
      { token },
    );
    const gone = {
      id: created.data!.createWhatsappSession.id,
      tenantId: '',
      me: '4915100000666@c.us',
      token,
    };
    const key = await hmacKeyOf(t, gone.id);
    expect(
      (await deliver(t, gone, 'session.status', { name: gone.id, status: 'STARTING', statuses: [] })).status,
    ).toBe(200);
    await t.gql(`mutation($id: ID!) { deleteWhatsappSession(id: $id) { id } }`, { id: gone.id }, { token });
    const removed = await internalGql(
      t,
      `mutation($id: ID!) { reportSessionDeleted(input: { sessionId: $id }) }`,
      { id: gone.id },
    );
    expect(removed.data).toEqual({ reportSessionDeleted: true });
    const message = { ...inboundEvent({ sessionId: gone.id, metadata: {} }), session: gone.id };
    const body = JSON.stringify(message);
    expect(await post(body, signed(body, key))).toEqual({
      status: 200,
      body: { status: 'ignored', eventId: message.id, reason: 'unknown session' },
    });
    expect(await sql(t, `select * from chats where session_id = ?`, [gone.id])).toEqual([]);
    const again = JSON.stringify({ ...message, id: `evt_${ulid().toLowerCase()}` });
    expect((await post(again, signed(again, key))).status).toBe(401);
  });
});
