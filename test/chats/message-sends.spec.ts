import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codesOf, sql, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import {
  CREATE_SESSION,
  deliver,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
  webhooksSettled,
} from '../support/linked-session.js';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { chatsApi, REPORT_FAILED, REPORT_SENT, SEND } from './support/chats-api.js';
import { rowKeyOf } from './support/outbound-api.js';

describe('messages the dashboard sends, and n8n’s reports about them', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let sim: WahaSimulator;
  let s: LinkedSession;
  const { chats, messages, send, sendCommand, wahaSendText, reportSent, rowsOf } = chatsApi(() => f);

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'chat-co' });
    ({ t, sim, session: s } = f);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('sends: PENDING, then SENT with WAHA’s id, then DELIVERED and READ from WAHA’s acks, never back to SENT', async () => {
    const sent = await send(s, '+49 170 0000002', 'Hello from the dashboard');
    expect(sent.errors).toBeUndefined();
    const pending = sent.data!.sendWhatsappMessage;
    expect(pending).toMatchObject({
      chatId: '491700000002@c.us',
      fromMe: true,
      direction: 'OUTBOUND',
      body: 'Hello from the dashboard',
      ack: 0,
      ackName: 'PENDING',
      status: 'PENDING',
      createdBy: `user:chat-co-user`,
    });
    // Ours from the moment it is stored; WAHA's id comes with n8n's report.
    expect(pending.id).toMatch(/^wm_[0-9a-z]{26}$/);
    expect(pending.localId).toBe(pending.id);
    expect(pending.wahaId).toBeNull();
    const command = await sendCommand(pending.localId);
    // n8n's command names the message by its row key, as the whole internal API does.
    expect(command).toEqual({
      messageId: rowKeyOf(pending.localId),
      chatId: '491700000002@c.us',
      phoneNumber: '491700000002',
      text: 'Hello from the dashboard',
      replyTo: null,
      media: null,
    });

    // n8n: check-exists, sendText (WAHA announces the message by webhook), then the report.
    const wahaId = await wahaSendText(s, command!);
    await webhooksSettled(sim, s.id);
    expect(await reportSent(command!.messageId, wahaId)).toEqual({
      id: rowKeyOf(pending.localId),
      wahaMessageId: wahaId,
      ack: 1,
      status: 'SENT',
      failureReason: null,
    });

    const status = async () => {
      const page = await messages(s, '491700000002@c.us');
      expect(page.edges).toHaveLength(1);
      return page.edges[0]!.node;
    };
    expect(await status()).toMatchObject({
      id: pending.id,
      localId: pending.localId,
      wahaId,
      status: 'SENT',
    });
    sim.ack(s.id, wahaId, 'DEVICE');
    await webhooksSettled(sim, s.id);
    expect(await status()).toMatchObject({
      id: pending.id,
      wahaId,
      status: 'DELIVERED',
      ack: 2,
      ackName: 'DEVICE',
    });
    sim.ack(s.id, wahaId, 'READ');
    await webhooksSettled(sim, s.id);
    expect(await status()).toMatchObject({ status: 'READ', ack: 3 });
    // A late SERVER ack (WAHA does not keep order) does not move it back.
    sim.ack(s.id, wahaId, 'SERVER');
    await webhooksSettled(sim, s.id);
    expect(await status()).toMatchObject({ status: 'READ', ack: 3 });
    // n8n retrying its report changes nothing (naming the message by its API id works too).
    const rows = await rowsOf(s);
    expect(await reportSent(pending.localId, wahaId)).toMatchObject({ status: 'READ', ack: 3 });
    expect(await rowsOf(s)).toBe(rows);
  });

  it('keeps acks that arrive before the message and before n8n’s report, in any order', async () => {
    const pending = (await send(s, '4917000000003@c.us', 'Race')).data!.sendWhatsappMessage;
    const wahaId = 'true_4917000000003@c.us_3EB0AAAAAAAAAAAAAAA1';
    // READ first, then a late DEVICE: before WAHA's message.any and before the report.
    expect(
      (
        await deliver(t, s, 'message.ack', {
          id: wahaId,
          from: s.me,
          to: '4917000000003@c.us',
          fromMe: true,
          ack: 3,
          ackName: 'READ',
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await deliver(t, s, 'message.ack', {
          id: wahaId,
          from: s.me,
          to: '4917000000003@c.us',
          fromMe: true,
          ack: 2,
          ackName: 'DEVICE',
        })
      ).status,
    ).toBe(200);
    expect(await sql(t, `select ack from message_ack_holds where waha_id = ?`, [wahaId])).toEqual([
      { ack: 3 },
    ]);
    expect(await reportSent(pending.localId, wahaId)).toMatchObject({ ack: 3, status: 'READ' });
    // Then WAHA's own announcement of the message (message.any, still PENDING for WAHA).
    await deliver(t, s, 'message.any', {
      id: wahaId,
      timestamp: Math.floor(Date.now() / 1000),
      from: s.me,
      fromMe: true,
      source: 'api',
      to: '4917000000003@c.us',
      body: 'Race',
      hasMedia: false,
      ack: 0,
      ackName: 'PENDING',
    });
    const page = await messages(s, '4917000000003@c.us');
    expect(page.edges.map((e) => [e.node.id, e.node.wahaId, e.node.status])).toEqual([
      [pending.id, wahaId, 'READ'],
    ]);
    expect(await sql(t, `select * from message_ack_holds where waha_id = ?`, [wahaId])).toEqual([]);
  });

  it('merges WAHA’s webhook copy of our message (stored first, then acked) into our message when n8n reports it', async () => {
    const pending = (await send(s, '4917000000004@c.us', 'Copy')).data!.sendWhatsappMessage;
    const wahaId = await wahaSendText(s, (await sendCommand(pending.localId))!);
    sim.ack(s.id, wahaId, 'DEVICE');
    await webhooksSettled(sim, s.id);
    // Before the report, the dashboard sees WAHA's copy beside our PENDING message.
    expect((await messages(s, '4917000000004@c.us')).edges).toHaveLength(2);
    expect(await reportSent(pending.localId, wahaId)).toMatchObject({ status: 'DELIVERED', ack: 2 });
    const page = await messages(s, '4917000000004@c.us');
    expect(page.edges.map((e) => [e.node.id, e.node.wahaId, e.node.status, e.node.body])).toEqual([
      [pending.id, wahaId, 'DELIVERED', 'Copy'],
    ]);
    const [chat] = (await chats(s)).edges.filter((e) => e.node.chatId === '4917000000004@c.us');
    expect(chat!.node.lastMessage).toMatchObject({ id: pending.id, wahaId });
  });

  it('reports FAILED with the reason, once; a message with another WAHA id is a CONFLICT', async () => {
    const pending = (await send(s, '4917000000005@c.us', 'Doomed')).data!.sendWhatsappMessage;
    const failed = await internalGql<{ reportMessageFailed: Record<string, unknown> }>(t, REPORT_FAILED, {
      input: {
        messageId: pending.localId,
        reason: 'Not on WhatsApp',
        wahaStatusCode: 422,
        wahaMessage: 'no',
      },
    });
    expect(failed.data!.reportMessageFailed).toEqual({
      id: rowKeyOf(pending.localId),
      wahaMessageId: null,
      ack: -1,
      status: 'FAILED',
      failureReason: 'Not on WhatsApp (WAHA 422: no)',
    });
    const rows = await rowsOf(s);
    await internalGql(t, REPORT_FAILED, {
      input: {
        messageId: pending.localId,
        reason: 'Not on WhatsApp',
        wahaStatusCode: 422,
        wahaMessage: 'no',
      },
    });
    expect(await rowsOf(s)).toBe(rows);
    expect((await messages(s, '4917000000005@c.us')).edges[0]!.node).toMatchObject({
      status: 'FAILED',
      failureReason: 'Not on WhatsApp (WAHA 422: no)',
    });

    const other = (await send(s, '4917000000005@c.us', 'Again')).data!.sendWhatsappMessage;
    await reportSent(other.localId, 'true_4917000000005@c.us_3EB0BBBBBBBBBBBBBBB1');
    const conflict = await internalGql(t, REPORT_SENT, {
      input: { messageId: other.localId, wahaMessageId: 'true_4917000000005@c.us_3EB0BBBBBBBBBBBBBBB2' },
    });
    expect(codesOf(conflict)).toEqual(['CONFLICT']);
    expect(
      codesOf(
        await internalGql(t, REPORT_SENT, { input: { messageId: 'nope', wahaMessageId: 'true_1@c.us_X' } }),
      ),
    ).toEqual(['NOT_FOUND']);
  });

  it.each([
    ['a word', 'hello', 'to'],
    ['a chat id of another kind', '4917000000001@x.us', 'to'],
    ['a number without country code', '0170 1234567', 'to'],
  ])('refuses `to` as %s with BAD_USER_INPUT on its field, and stores nothing', async (_name, to, field) => {
    const rows = await rowsOf(s);
    const result = await send(s, to, 'x');
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) }),
    ]);
    expect(await rowsOf(s)).toBe(rows);
  });

  it.each([
    ['empty', '   '],
    ['too long', 'x'.repeat(4097)],
  ])('refuses a text that is %s', async (_name, text) => {
    const result = await send(s, '4917000000001@c.us', text);
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'A message text is 1 to 4096 characters',
        extensions: { code: 'BAD_USER_INPUT', field: 'text' },
      }),
    ]);
  });

  it('refuses to send through a session that is not WORKING, with its status, and stores nothing', async () => {
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE_SESSION,
      { input: { displayName: 'Not linked' } },
      { token: s.token },
    );
    const id = created.data!.createWhatsappSession.id;
    const before = await sql(t, `select count(*)::int as n from outbox_commands where type = 'message.send'`);
    const result = await t.gql(
      SEND,
      { sessionId: id, to: '4917000000001@c.us', text: 'x' },
      { token: s.token },
    );
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'The session is CREATING; sending needs WORKING',
        extensions: { code: 'FAILED_PRECONDITION', details: { status: 'CREATING', expected: ['WORKING'] } },
      }),
    ]);
    expect(await sql(t, `select * from messages where session_id = ?`, [id])).toEqual([]);
    expect(
      await sql(t, `select count(*)::int as n from outbox_commands where type = 'message.send'`),
    ).toEqual(before);
  });

  it('sends once for a retried request with the same idempotency key', async () => {
    const [first, retry] = await Promise.all([
      send(s, '4917000000006@c.us', 'Once', 'send-1'),
      send(s, '4917000000006@c.us', 'Once', 'send-1'),
    ]);
    expect(retry.data!.sendWhatsappMessage.localId).toBe(first.data!.sendWhatsappMessage.localId);
    expect((await messages(s, '4917000000006@c.us')).edges).toHaveLength(1);
    expect(
      await sql(
        t,
        `select count(*)::int as n from outbox_commands where type = 'message.send' and payload->>'chatId' = ?`,
        ['4917000000006@c.us'],
      ),
    ).toEqual([{ n: 1 }]);
    expect(codesOf(await send(s, '4917000000006@c.us', 'Other text', 'send-1'))).toEqual(['CONFLICT']);
  });
});
