import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { toGlobalId } from '../../src/common/global-ids.js';
import { codesOf, type TestApp } from '../support/app.js';
import {
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import {
  commandsOf,
  mediaRow,
  messagesOut,
  outboundRows,
  rowKeyOf,
  sendOut,
} from './support/outbound-api.js';

const CUSTOMER = '4917000000901@c.us';
const OTHER = '4917000000902@c.us';

/** Replies the dashboard sends: to a message of the same chat, named by our id or by WAHA's. */
describe('replying to a message', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let s: LinkedSession;
  let b: LinkedSession;
  /** WAHA's ids of inbound messages: one of CUSTOMER, one of OTHER. */
  let question: string;
  /** Our id (wm_…) of the same message of CUSTOMER. */
  let questionId: string;
  let questionBody: string;
  let elsewhere: string;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'replies-a' });
    ({ t, session: s } = f);
    b = await f.link('replies-b');
    const now = Math.floor(Date.now() / 1000);
    const long = `Can I return the shoes I bought last week? ${'They are too small. '.repeat(10)}`;
    const first = inboundMessage(s, CUSTOMER, long, now);
    const second = inboundMessage(s, OTHER, 'Hello?', now);
    expect((await f.deliver('message', first)).status).toBe(200);
    expect((await f.deliver('message', second)).status).toBe(200);
    question = first.id;
    questionBody = long;
    elsewhere = second.id;
    const stored = (await messagesOut(t, s, CUSTOMER)).find((m) => m.wahaId === question);
    expect(stored!.id).toMatch(/^wm_[0-9a-z]{26}$/);
    questionId = stored!.id;
  });
  afterAll(async () => {
    await f?.close();
  });

  it('stores the reply with the quoted message and an excerpt, and the command carries WAHA’s reply_to', async () => {
    const sent = await sendOut(t, s, { to: CUSTOMER, text: 'Of course', replyTo: question });
    expect(sent.errors).toBeUndefined();
    const reply = sent.data!.sendWhatsappMessage;
    expect(reply).toMatchObject({ type: 'TEXT', body: 'Of course', replyTo: { messageId: question } });
    // A short excerpt to show above the reply: the first 100 characters.
    expect(reply.replyTo!.excerpt).toBe(questionBody.slice(0, 100));
    // n8n's command names our message by its row key, the quoted one by WAHA's id (what WAHA quotes by).
    expect((await commandsOf(t, s, 'message.send')).at(-1)!.payload).toMatchObject({
      messageId: rowKeyOf(reply.localId),
      chatId: CUSTOMER,
      text: 'Of course',
      replyTo: question,
      media: null,
    });
    expect((await messagesOut(t, s, CUSTOMER))[0]).toMatchObject({
      id: reply.id,
      localId: reply.localId,
      wahaId: null,
      replyTo: { messageId: question },
    });
  });

  it('replies to the quoted message named by our id (wm_…) exactly as by WAHA’s id', async () => {
    const sent = await sendOut(t, s, { to: CUSTOMER, text: 'By our id', replyTo: questionId });
    expect(sent.errors).toBeUndefined();
    const reply = sent.data!.sendWhatsappMessage;
    expect(reply).toMatchObject({
      type: 'TEXT',
      replyTo: { messageId: question, excerpt: questionBody.slice(0, 100) },
    });
    expect((await commandsOf(t, s, 'message.send')).at(-1)!.payload).toMatchObject({
      messageId: rowKeyOf(reply.id),
      chatId: CUSTOMER,
      replyTo: question,
    });
  });

  it('refuses to quote our own message while it has no WAHA id (PENDING): FAILED_PRECONDITION, stores nothing', async () => {
    const pending = (await sendOut(t, s, { to: CUSTOMER, text: 'Not sent yet' })).data!.sendWhatsappMessage;
    expect(pending).toMatchObject({ status: 'PENDING', wahaId: null });
    const before = await outboundRows(t);
    const result = await sendOut(t, s, { to: CUSTOMER, text: 'Quoting it', replyTo: pending.id });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'The message is PENDING: only a message WhatsApp has (SENT or later) can be quoted',
        extensions: {
          code: 'FAILED_PRECONDITION',
          field: 'replyTo',
          details: { status: 'PENDING', expected: ['SENT', 'DELIVERED', 'READ', 'PLAYED'] },
        },
      }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });

  it('replies with a file, its caption and the quoted message together', async () => {
    const mediaId = await mediaRow(t, s, { mimetype: 'application/pdf', filename: 'returns.pdf' });
    const sent = await sendOut(t, s, { to: CUSTOMER, text: 'Our policy', replyTo: question, mediaId });
    expect(sent.data!.sendWhatsappMessage).toMatchObject({
      type: 'DOCUMENT',
      caption: 'Our policy',
      replyTo: { messageId: question },
      media: { id: mediaId },
    });
    expect((await commandsOf(t, s, 'message.send')).at(-1)!.payload).toMatchObject({
      replyTo: question,
      media: { kind: 'document', filename: 'returns.pdf' },
    });
  });

  it.each([
    ['a message that is not there', () => `false_${CUSTOMER}_3EB0NOTHERE`, CUSTOMER],
    [
      'a message id of ours that names no message',
      () => toGlobalId('WhatsappMessage', '01J0000000000000000000000Z'),
      CUSTOMER,
    ],
    ['a message of another chat', () => elsewhere, CUSTOMER],
    ['a message of a chat not started yet', () => question, '4917000000903@c.us'],
  ])('refuses to reply to %s as NOT_FOUND on replyTo, and stores nothing', async (_name, replyTo, to) => {
    const before = await outboundRows(t);
    const result = await sendOut(t, s, { to, text: 'Hm', replyTo: replyTo() });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: `Message ${JSON.stringify(replyTo())} was not found in this chat`,
        extensions: { code: 'NOT_FOUND', field: 'replyTo' },
      }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });

  it("lets tenant B reply to tenant A's message neither through A's session nor its own: NOT_FOUND", async () => {
    const before = await outboundRows(t);
    expect(codesOf(await sendOut(t, s, { to: CUSTOMER, text: 'Hi', replyTo: question }, b.token))).toEqual([
      'NOT_FOUND',
    ]);
    expect(codesOf(await sendOut(t, s, { to: CUSTOMER, text: 'Hi', replyTo: questionId }, b.token))).toEqual([
      'NOT_FOUND',
    ]);
    for (const replyTo of [question, questionId]) {
      const own = await sendOut(t, b, { to: CUSTOMER, text: 'Hi', replyTo });
      expect(own.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'NOT_FOUND', field: 'replyTo' } }),
      ]);
    }
    expect(await outboundRows(t)).toBe(before);
  });

  it('refuses a reply id that can name no message as BAD_USER_INPUT, and stores nothing', async () => {
    const before = await outboundRows(t);
    const result = await sendOut(t, s, { to: CUSTOMER, text: 'Hm', replyTo: `${question}\u0000` });
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'replyTo' } }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });

  it('sends a retried reply once, and refuses its idempotency key for a reply to another message', async () => {
    const vars = { to: CUSTOMER, text: 'Once', replyTo: question, idempotencyKey: 'reply-1' };
    const [first, retry] = await Promise.all([sendOut(t, s, vars), sendOut(t, s, vars)]);
    expect(retry.data!.sendWhatsappMessage.localId).toBe(first.data!.sendWhatsappMessage.localId);
    // The same quoted message named by our id is the same send, not another reply.
    const byOurId = await sendOut(t, s, { ...vars, replyTo: questionId });
    expect(byOurId.data!.sendWhatsappMessage.id).toBe(first.data!.sendWhatsappMessage.id);
    expect((await commandsOf(t, s, 'message.send')).filter((c) => c.payload.text === 'Once')).toHaveLength(1);
    expect(codesOf(await sendOut(t, s, { ...vars, replyTo: undefined }))).toEqual(['CONFLICT']);
    expect(codesOf(await sendOut(t, s, { ...vars, replyTo: elsewhere }))).toEqual(['CONFLICT']);
  });
});
