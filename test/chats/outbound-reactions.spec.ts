import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { toGlobalId } from '../../src/common/global-ids.js';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import { codesOf, sql, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import {
  CREATE_SESSION,
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import {
  commandsOf,
  messagesOut,
  outboundRows,
  REACT,
  reportReaction,
  sendOut,
} from './support/outbound-api.js';

const CUSTOMER = '4917000000601@c.us';

/** Reactions the dashboard sends as the linked account: queued for n8n, shown once n8n reports them sent. */
describe('reacting to messages', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let s: LinkedSession;
  let b: LinkedSession;
  /** WAHA's id of an inbound message of CUSTOMER. */
  let wahaId: string;
  /** Our id (wm_…) of the same message. */
  let messageId: string;

  const react = (session: LinkedSession, input: Record<string, unknown>, token = session.token) =>
    t.gql<{ reactToWhatsappMessage: boolean }>(
      REACT,
      { input: { sessionId: session.id, ...input } },
      { token },
    );
  const reactionRows = () =>
    sql(t, `select sender_id, reaction, from_me from message_reactions where message_waha_id = ?`, [wahaId]);

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'react-a' });
    ({ t, session: s } = f);
    b = await f.link('react-b');
    const message = inboundMessage(s, CUSTOMER, 'Do you ship to Berlin?', Math.floor(Date.now() / 1000));
    expect((await f.deliver('message', message)).status).toBe(200);
    wahaId = message.id;
    const [stored] = await messagesOut(t, s, CUSTOMER);
    expect(stored).toMatchObject({ wahaId, id: expect.stringMatching(/^wm_[0-9a-z]{26}$/) });
    messageId = stored!.id;
  });
  afterAll(async () => {
    await f?.close();
  });

  it('queues message.react once, stores the reaction as the linked account’s when n8n reports it, and pushes it live', async () => {
    const first = await react(s, { messageId: wahaId, reaction: '👍' });
    expect(first.data).toEqual({ reactToWhatsappMessage: true });
    // A retry while the first still waits for n8n queues nothing more.
    expect((await react(s, { messageId: wahaId, reaction: '👍' })).data).toEqual({
      reactToWhatsappMessage: false,
    });
    const commands = await commandsOf(t, s, 'message.react');
    expect(commands.map((c) => c.payload)).toEqual([{ messageId: wahaId, reaction: '👍' }]);
    // Nothing shows before n8n reports it sent.
    expect((await messagesOut(t, s, CUSTOMER))[0]!.reactions).toEqual([]);

    const client = graphqlWsClient(t, s.token);
    const live = subscribeWs<{
      whatsappMessageUpserted: { message: { id: string; wahaId: string; reactions: unknown[] } };
    }>(
      client,
      `subscription($sessionId: ID!, $chatId: ID) { whatsappMessageUpserted(sessionId: $sessionId, chatId: $chatId) { message { id wahaId reactions { senderId fromMe reaction } } } }`,
      { sessionId: s.id, chatId: CUSTOMER },
    );
    try {
      await eventually(() => expect(t.app.get(RealtimeService).listenerCount).toBeGreaterThanOrEqual(1));
      const reported = await reportReaction(t, {
        sessionId: s.id,
        commandId: commands[0]!.id,
        messageId: wahaId,
        reaction: '👍',
      });
      expect(reported.data).toEqual({ reportReactionSent: true });
      await live.collected.until((items) => items.length >= 1);
      expect(live.collected.items[0]!.whatsappMessageUpserted.message).toEqual({
        id: messageId,
        wahaId,
        reactions: [{ senderId: s.me, fromMe: true, reaction: '👍' }],
      });
    } finally {
      live.dispose();
      await client.dispose();
    }
    expect((await messagesOut(t, s, CUSTOMER))[0]!.reactions).toEqual([
      { senderId: s.me, fromMe: true, reaction: '👍' },
    ]);

    // n8n retrying its report changes nothing.
    const rows = await outboundRows(t);
    expect(
      (
        await reportReaction(t, {
          sessionId: s.id,
          commandId: commands[0]!.id,
          messageId: wahaId,
          reaction: '👍',
        })
      ).data,
    ).toEqual({ reportReactionSent: false });
    expect(await outboundRows(t)).toBe(rows);
  });

  it("removes the reaction with '', and an older request's late report does not bring it back", async () => {
    const [thumbs] = await commandsOf(t, s, 'message.react');
    expect((await react(s, { messageId: wahaId, reaction: '' })).data).toEqual({
      reactToWhatsappMessage: true,
    });
    const removal = (await commandsOf(t, s, 'message.react')).at(-1)!;
    expect(removal.payload).toEqual({ messageId: wahaId, reaction: '' });
    expect(
      (await reportReaction(t, { sessionId: s.id, commandId: removal.id, messageId: wahaId, reaction: '' }))
        .data,
    ).toEqual({ reportReactionSent: true });
    expect((await messagesOut(t, s, CUSTOMER))[0]!.reactions).toEqual([]);
    // Kept as '' so that the older 👍 cannot come back.
    expect(await reactionRows()).toEqual([{ sender_id: s.me, reaction: '', from_me: true }]);
    const rows = await outboundRows(t);
    expect(
      (await reportReaction(t, { sessionId: s.id, commandId: thumbs!.id, messageId: wahaId, reaction: '👍' }))
        .data,
    ).toEqual({ reportReactionSent: false });
    expect(await outboundRows(t)).toBe(rows);
  });

  it('reacts to a message named by our id (wm_…) exactly as by WAHA’s id: one command, for WAHA’s id', async () => {
    expect((await react(s, { messageId, reaction: '🙏' })).data).toEqual({ reactToWhatsappMessage: true });
    const queued = (await commandsOf(t, s, 'message.react')).at(-1)!;
    expect(queued.payload).toEqual({ messageId: wahaId, reaction: '🙏' });
    // The same reaction by WAHA's id, while that one waits for n8n, is the same request.
    expect((await react(s, { messageId: wahaId, reaction: '🙏' })).data).toEqual({
      reactToWhatsappMessage: false,
    });
    expect((await commandsOf(t, s, 'message.react')).filter((c) => c.payload.reaction === '🙏')).toHaveLength(
      1,
    );
    expect(
      (await reportReaction(t, { sessionId: s.id, commandId: queued.id, messageId: wahaId, reaction: '🙏' }))
        .data,
    ).toEqual({ reportReactionSent: true });
    expect((await messagesOut(t, s, CUSTOMER))[0]).toMatchObject({
      id: messageId,
      reactions: [{ senderId: s.me, fromMe: true, reaction: '🙏' }],
    });
  });

  it.each([
    ['a letter', 'a'],
    ['two emoji', '👍👍'],
    ['an emoji and a space', '👍 '],
    ['a space', ' '],
    ['a NUL', '\u0000'],
    ['a lone surrogate', '\uD83D'],
    ['a long text', '🎉'.repeat(20)],
  ])(
    'refuses %s as a reaction, from the dashboard and from n8n, and stores nothing',
    async (_name, reaction) => {
      const before = await outboundRows(t);
      const asked = await react(s, { messageId: wahaId, reaction });
      expect(asked.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input.reaction' } }),
      ]);
      const reported = await reportReaction(t, { sessionId: s.id, messageId: wahaId, reaction });
      expect(reported.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input.reaction' } }),
      ]);
      expect(await outboundRows(t)).toBe(before);
    },
  );

  it.each([
    ['a flag', '🇩🇪'],
    ['a family (joined emoji)', '👨‍👩‍👧‍👦'],
    ['a keycap', '1️⃣'],
    ['a skin tone', '👍🏽'],
  ])('takes %s as one emoji', async (_name, reaction) => {
    const result = await react(s, { messageId: wahaId, reaction });
    expect(result.errors).toBeUndefined();
  });

  it('refuses a message that is not there, and one of ours not sent yet', async () => {
    const before = await outboundRows(t);
    for (const unknownId of [
      `false_${CUSTOMER}_3EB0NOTHERE`,
      toGlobalId('WhatsappMessage', '01J0000000000000000000000Z'),
    ]) {
      const unknown = await react(s, { messageId: unknownId, reaction: '👍' });
      expect([unknownId, unknown.errors]).toEqual([
        unknownId,
        [expect.objectContaining({ extensions: { code: 'NOT_FOUND', field: 'input.messageId' } })],
      ]);
    }
    expect(await outboundRows(t)).toBe(before);
    const pending = (await sendOut(t, s, { to: CUSTOMER, text: 'Yes we do' })).data!.sendWhatsappMessage;
    const early = await react(s, { messageId: pending.id, reaction: '👍' });
    expect(early.errors).toEqual([
      expect.objectContaining({
        extensions: {
          code: 'FAILED_PRECONDITION',
          field: 'input.messageId',
          details: { status: 'PENDING', expected: ['SENT', 'DELIVERED', 'READ', 'PLAYED'] },
        },
      }),
    ]);
    const missing = await reportReaction(t, {
      sessionId: s.id,
      messageId: `false_${CUSTOMER}_3EB0NOTHERE`,
      reaction: '👍',
    });
    expect(missing.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'NOT_FOUND', field: 'input.messageId' } }),
    ]);
  });

  it("lets tenant B react neither through A's session nor to A's message through its own: NOT_FOUND, as unknown", async () => {
    const before = await outboundRows(t);
    for (const id of [wahaId, messageId]) {
      const throughA = await react(s, { messageId: id, reaction: '😈' }, b.token);
      expect(codesOf(throughA)).toEqual(['NOT_FOUND']);
      const ownSession = await react(b, { messageId: id, reaction: '😈' });
      expect(ownSession.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'NOT_FOUND', field: 'input.messageId' } }),
      ]);
    }
    // n8n reporting for B's session cannot touch A's message either.
    const report = await reportReaction(t, { sessionId: b.id, messageId: wahaId, reaction: '😈' });
    expect(codesOf(report)).toEqual(['NOT_FOUND']);
    expect(await outboundRows(t)).toBe(before);
  });

  it('refuses a report for a session with no linked account to react as', async () => {
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE_SESSION,
      { input: { displayName: 'No account yet' } },
      { token: s.token },
    );
    const before = await outboundRows(t);
    const result = await reportReaction(t, {
      sessionId: created.data!.createWhatsappSession.id,
      messageId: wahaId,
      reaction: '👍',
    });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'The session has no linked account to react as',
        extensions: { code: 'FAILED_PRECONDITION', details: { me: null } },
      }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });

  it('refuses to react through a session that is not WORKING, with its status', async () => {
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE_SESSION,
      { input: { displayName: 'Unlinked reactions' } },
      { token: s.token },
    );
    const before = await outboundRows(t);
    const result = await t.gql(
      REACT,
      { input: { sessionId: created.data!.createWhatsappSession.id, messageId: wahaId, reaction: '👍' } },
      { token: s.token },
    );
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'The session is CREATING; reacting needs WORKING',
        extensions: { code: 'FAILED_PRECONDITION', details: { status: 'CREATING', expected: ['WORKING'] } },
      }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });
});
