import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { toGlobalId } from '../../src/common/global-ids.js';
import { codesOf, sql, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import {
  deliver,
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import { REPORT_FAILED, REPORT_SENT } from './support/chats-api.js';
import {
  commandsOf,
  mediaRow,
  messagesOut,
  outboundRows,
  rowKeyOf,
  sendOut,
} from './support/outbound-api.js';

/** Files the dashboard sends: an uploaded media, sent by kind, with the text as its caption. */
describe('sending files', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let s: LinkedSession;
  /** Another tenant's linked session. */
  let b: LinkedSession;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'files-a' });
    ({ t, session: s } = f);
    b = await f.link('files-b');
  });
  afterAll(async () => {
    await f?.close();
  });

  /** The command of our message `messageId` (the API's wm_ id; n8n's command carries the row key). */
  const sendCommand = async (messageId: string) =>
    (await commandsOf(t, s, 'message.send')).find((c) => c.payload.messageId === rowKeyOf(messageId))
      ?.payload;

  it('sends an image with a caption: PENDING IMAGE with its media, the command carries kind, link, mimetype and filename; then SENT and READ', async () => {
    const mediaId = await mediaRow(t, s, { mimetype: 'image/jpeg', filename: 'shop.jpg' });
    const sent = await sendOut(t, s, { to: '4917000000501@c.us', text: 'Our new shop', mediaId });
    expect(sent.errors).toBeUndefined();
    const pending = sent.data!.sendWhatsappMessage;
    expect(pending).toMatchObject({
      chatId: '4917000000501@c.us',
      fromMe: true,
      hasMedia: true,
      type: 'IMAGE',
      body: 'Our new shop',
      caption: 'Our new shop',
      status: 'PENDING',
      wahaId: null,
      media: { id: mediaId, state: 'READY', mimetype: 'image/jpeg', filename: 'shop.jpg' },
      replyTo: null,
      reactions: [],
    });
    const command = await sendCommand(pending.localId);
    expect(command).toEqual({
      messageId: rowKeyOf(pending.localId),
      chatId: '4917000000501@c.us',
      phoneNumber: null,
      text: 'Our new shop',
      replyTo: null,
      media: { kind: 'image', url: expect.any(String), mimetype: 'image/jpeg', filename: 'shop.jpg' },
    });
    // A signed link to this media of this tenant, that WAHA can fetch without a token (by the row's key, like every id n8n gets).
    const url = new URL(command!.media!.url);
    expect(url.pathname.endsWith(`/${rowKeyOf(mediaId)}`)).toBe(true);
    expect(url.searchParams.get('tenant')).toBe(s.tenantId);
    expect(url.searchParams.get('signature')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(
      await sql(t, `select type, media_id, has_media from messages where id = ?`, [
        rowKeyOf(pending.localId),
      ]),
    ).toEqual([{ type: 'IMAGE', media_id: rowKeyOf(mediaId), has_media: true }]);

    const wahaId = 'true_4917000000501@c.us_3EB0F11E000000000001';
    const reported = await internalGql<{ reportMessageSent: { status: string } }>(t, REPORT_SENT, {
      input: { messageId: pending.localId, wahaMessageId: wahaId },
    });
    expect(reported.data!.reportMessageSent.status).toBe('SENT');
    await deliver(t, s, 'message.ack', {
      id: wahaId,
      from: s.me,
      to: '4917000000501@c.us',
      fromMe: true,
      ack: 3,
      ackName: 'READ',
    });
    const [read] = await messagesOut(t, s, '4917000000501@c.us');
    expect(read).toMatchObject({
      id: pending.id,
      wahaId,
      type: 'IMAGE',
      status: 'READ',
      media: { id: mediaId },
    });
  });

  it('uploads a file, sends it, and WAHA fetches the same bytes by the link the command carries', async () => {
    // A voice note's bytes: an Ogg page header, then noise.
    const bytes = Buffer.concat([Buffer.from('OggS\0\x02'), randomBytes(20_000)]);
    const uploaded = await fetch(`${t.url}/media?filename=note.ogg&sessionId=${s.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.token}`, 'content-type': 'audio/ogg' },
      body: bytes,
    });
    expect(uploaded.status).toBe(201);
    const { id: mediaId } = (await uploaded.json()) as { id: string };
    expect(mediaId).toMatch(/^wf_[0-9a-z]{26}$/);
    const sent = await sendOut(t, s, { to: '4917000000508@c.us', text: '', mediaId });
    expect(sent.data!.sendWhatsappMessage).toMatchObject({
      type: 'VOICE',
      hasMedia: true,
      caption: null,
      media: { id: mediaId, state: 'READY', mimetype: 'audio/ogg', filename: 'note.ogg' },
    });
    const command = await sendCommand(sent.data!.sendWhatsappMessage.localId);
    expect(command!.media).toMatchObject({ kind: 'voice', mimetype: 'audio/ogg', filename: 'note.ogg' });
    // What WAHA does with the RemoteFile n8n passes it: GET the url, no token.
    const fetched = await fetch(command!.media!.url);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('content-type')).toBe('audio/ogg');
    expect(Buffer.from(await fetched.arrayBuffer()).equals(bytes)).toBe(true);
    // Tenant B cannot send A's upload, as if it did not exist.
    expect(codesOf(await sendOut(t, b, { to: '4917000000508@c.us', text: '', mediaId }))).toEqual([
      'NOT_FOUND',
    ]);
  });

  it("sends a file uploaded for any of the tenant's sessions, and refuses one uploaded for another session", async () => {
    const second = await f.link('files-a', { displayName: 'Second line' });
    const anySession = await mediaRow(t, s, { sessionId: '' });
    expect(
      (await sendOut(t, second, { to: '4917000000509@c.us', text: '', mediaId: anySession })).errors,
    ).toBeUndefined();
    const forFirst = await mediaRow(t, s);
    const before = await outboundRows(t);
    const refused = await sendOut(t, second, { to: '4917000000509@c.us', text: '', mediaId: forFirst });
    expect(refused.errors).toEqual([
      expect.objectContaining({
        message: 'This file was uploaded for another session: upload it for this one',
        extensions: { code: 'BAD_USER_INPUT', field: 'mediaId' },
      }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });

  it.each([
    ['a PDF', 'application/pdf', 'Offer', 'DOCUMENT', 'document'],
    ['a video', 'video/mp4', '', 'VIDEO', 'video'],
    ['an Ogg Opus voice note', 'audio/ogg; codecs=opus', '', 'VOICE', 'voice'],
    ['an MP3 (sent as a file)', 'audio/mpeg', 'Jingle', 'AUDIO', 'document'],
  ])('sends %s as %s', async (_name, mimetype, text, type, kind) => {
    const mediaId = await mediaRow(t, s, { mimetype, filename: null });
    const sent = await sendOut(t, s, { to: '4917000000502@c.us', text, mediaId });
    expect(sent.errors).toBeUndefined();
    const message = sent.data!.sendWhatsappMessage;
    expect(message).toMatchObject({ type, hasMedia: true, caption: text === '' ? null : text });
    expect((await sendCommand(message.localId))!.media).toMatchObject({ kind, mimetype, filename: null });
  });

  it('marks a file FAILED with the reason when n8n cannot send it', async () => {
    const mediaId = await mediaRow(t, s, { mimetype: 'application/pdf', filename: 'big.pdf' });
    const sent = (await sendOut(t, s, { to: '4917000000503@c.us', text: '', mediaId })).data!
      .sendWhatsappMessage;
    const failed = await internalGql<{ reportMessageFailed: { status: string; failureReason: string } }>(
      t,
      REPORT_FAILED,
      { input: { messageId: sent.localId, reason: 'WAHA could not fetch the file', wahaStatusCode: 500 } },
    );
    expect(failed.data!.reportMessageFailed).toMatchObject({ status: 'FAILED' });
    const [shown] = await messagesOut(t, s, '4917000000503@c.us');
    expect(shown).toMatchObject({
      type: 'DOCUMENT',
      status: 'FAILED',
      failureReason: 'WAHA could not fetch the file (WAHA 500)',
      media: { id: mediaId },
    });
  });

  it('sends once for a retried request with the same idempotency key, and refuses the key for another file', async () => {
    // The file replies to a message; a retry may name it by WAHA's id or by ours.
    const question = inboundMessage(s, '4917000000504@c.us', 'Photo?', Math.floor(Date.now() / 1000));
    expect((await f.deliver('message', question)).status).toBe(200);
    const questionId = (await messagesOut(t, s, '4917000000504@c.us'))[0]!.id;
    const mediaId = await mediaRow(t, s);
    const other = await mediaRow(t, s);
    const vars = {
      to: '4917000000504@c.us',
      text: 'Once',
      mediaId,
      idempotencyKey: 'file-1',
      replyTo: question.id,
    };
    const [first, retry] = await Promise.all([
      sendOut(t, s, vars),
      sendOut(t, s, { ...vars, replyTo: questionId }),
    ]);
    expect(first.errors).toBeUndefined();
    expect(retry.data!.sendWhatsappMessage.localId).toBe(first.data!.sendWhatsappMessage.localId);
    expect(retry.data!.sendWhatsappMessage.media).toMatchObject({ id: mediaId });
    expect(retry.data!.sendWhatsappMessage.replyTo).toMatchObject({ messageId: question.id });
    for (const replyTo of [question.id, questionId]) {
      const again = await sendOut(t, s, { ...vars, replyTo });
      expect([replyTo, again.data?.sendWhatsappMessage.id]).toEqual([
        replyTo,
        first.data!.sendWhatsappMessage.id,
      ]);
    }
    expect(
      (await commandsOf(t, s, 'message.send')).filter((c) => c.payload.chatId === '4917000000504@c.us'),
    ).toHaveLength(1);
    const reused = await sendOut(t, s, { ...vars, mediaId: other });
    expect(reused.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'CONFLICT', field: 'idempotencyKey' } }),
    ]);
    const withoutFile = await sendOut(t, s, { ...vars, mediaId: undefined });
    expect(codesOf(withoutFile)).toEqual(['CONFLICT']);
    expect(codesOf(await sendOut(t, s, { ...vars, replyTo: undefined }))).toEqual(['CONFLICT']);
  });

  it("refuses another tenant's media exactly like an unknown one, and stores nothing", async () => {
    const ofB = await mediaRow(t, b);
    const unknownId = toGlobalId('WhatsappMedia', '01J0000000000000000000000Z');
    const before = await outboundRows(t);
    const guessed = await sendOut(t, s, { to: '4917000000505@c.us', text: '', mediaId: ofB });
    const unknown = await sendOut(t, s, { to: '4917000000505@c.us', text: '', mediaId: unknownId });
    for (const [result, id] of [
      [guessed, ofB],
      [unknown, unknownId],
    ] as const) {
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: `Media "${id}" was not found`,
          extensions: { code: 'NOT_FOUND', field: 'mediaId' },
        }),
      ]);
    }
    expect(await outboundRows(t)).toBe(before);
    // B itself sends it.
    const own = await sendOut(t, b, { to: '4917000000505@c.us', text: '', mediaId: ofB });
    expect(own.data!.sendWhatsappMessage.media).toMatchObject({ id: ofB });
  });

  it.each([
    ['a received file', { direction: 'INBOUND' as const }, '', { code: 'BAD_USER_INPUT', field: 'mediaId' }],
    [
      'a file still PENDING',
      { state: 'PENDING' as const },
      '',
      { code: 'FAILED_PRECONDITION', field: 'mediaId', details: { state: 'PENDING', expected: ['READY'] } },
    ],
    [
      'a FAILED file',
      { state: 'FAILED' as const },
      '',
      { code: 'FAILED_PRECONDITION', field: 'mediaId', details: { state: 'FAILED', expected: ['READY'] } },
    ],
    [
      'a voice note with a caption',
      { mimetype: 'audio/ogg' },
      'Listen',
      { code: 'BAD_USER_INPUT', field: 'text' },
    ],
    ['a caption over 4096 characters', {}, 'x'.repeat(4097), { code: 'BAD_USER_INPUT', field: 'text' }],
  ])('refuses %s and stores nothing', async (_name, row, text, extensions) => {
    const mediaId = await mediaRow(t, s, row);
    const before = await outboundRows(t);
    const result = await sendOut(t, s, { to: '4917000000506@c.us', text, mediaId });
    expect(result.errors).toEqual([expect.objectContaining({ extensions })]);
    expect(await outboundRows(t)).toBe(before);
  });

  it("refuses a media row's own key (a raw ULID, not wf_…) and the id of another kind as BAD_USER_INPUT on mediaId", async () => {
    const mediaId = await mediaRow(t, s);
    const message = (await sendOut(t, s, { to: '4917000000507@c.us', text: 'Hi' })).data!.sendWhatsappMessage;
    const before = await outboundRows(t);
    for (const [wrong, said] of [
      [rowKeyOf(mediaId), 'mediaId is not an id this API returned'],
      [rowKeyOf(mediaId).toLowerCase(), 'mediaId is not an id this API returned'],
      [message.id, 'mediaId is the id of a WhatsappMessage, not of a WhatsappMedia'],
    ]) {
      const result = await sendOut(t, s, { to: '4917000000507@c.us', text: '', mediaId: wrong });
      expect([wrong, result.errors]).toEqual([
        wrong,
        [
          expect.objectContaining({
            message: said,
            extensions: { code: 'BAD_USER_INPUT', field: 'mediaId', details: { expected: 'WhatsappMedia' } },
          }),
        ],
      ]);
    }
    expect(await outboundRows(t)).toBe(before);
    // The same file by its API id is sent.
    expect((await sendOut(t, s, { to: '4917000000507@c.us', text: '', mediaId })).errors).toBeUndefined();
  });

  const someMedia = toGlobalId('WhatsappMedia', '01J0000000000000000000000Z');
  it.each([
    ['a NUL', `${someMedia}\u0000`],
    ['over 200 characters', someMedia.padEnd(201, 'x')],
  ])('refuses a media id with %s as BAD_USER_INPUT', async (_name, mediaId) => {
    const before = await outboundRows(t);
    const result = await sendOut(t, s, { to: '4917000000507@c.us', text: '', mediaId });
    expect(result.errors).toEqual([
      expect.objectContaining({
        extensions: { code: 'BAD_USER_INPUT', field: 'mediaId', details: { expected: 'WhatsappMedia' } },
      }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });
});
