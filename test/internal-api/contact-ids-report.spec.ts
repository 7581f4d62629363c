import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codesOf, sql, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import {
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import { CHAT, outboundRows, REPORT_CONTACT_IDS } from '../chats/support/outbound-api.js';

const PHONE_ID = '4917000000801@c.us';
const LID = '88000000000801@lid';

/** n8n's answer to contact.lookup: WAHA's phone-number id of a LID, which makes the person's two chats one. */
describe('reportContactIds', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let s: LinkedSession;
  let b: LinkedSession;

  const report = (input: Record<string, unknown>) =>
    internalGql<{ reportContactIds: boolean }>(t, REPORT_CONTACT_IDS, { input });
  const chatsOf = (session: LinkedSession) =>
    sql(t, `select chat_id, alt_chat_id from chats where session_id = ? order by chat_id`, [session.id]);

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'contacts-a' });
    ({ t, session: s } = f);
    b = await f.link('contacts-b');
    // The same person, written to once by phone number and once by LID: two chats so far.
    const now = Math.floor(Date.now() / 1000);
    expect((await f.deliver('message', inboundMessage(s, PHONE_ID, 'by phone', now))).status).toBe(200);
    expect((await f.deliver('message', inboundMessage(s, LID, 'by lid', now + 1))).status).toBe(200);
    // B has the same person as a chat of its own.
    expect(
      (await f.deliver('message', inboundMessage(b, PHONE_ID, 'to B', now), { session: b })).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('makes the two chats one that either id opens, with both messages; a retry changes nothing', async () => {
    expect(await chatsOf(s)).toHaveLength(2);
    const chatsOfB = await chatsOf(b);
    const linked = await report({
      sessionId: s.id,
      lid: LID,
      phoneId: PHONE_ID,
      commandId: '01JCONTACT0000000000000000',
    });
    expect(linked.errors).toBeUndefined();
    expect(linked.data).toEqual({ reportContactIds: true });
    const [chat, ...others] = await chatsOf(s);
    expect(others).toEqual([]);
    expect([chat!['chat_id'], chat!['alt_chat_id']].sort()).toEqual([PHONE_ID, LID].sort());
    for (const chatId of [PHONE_ID, LID]) {
      const opened = await t.gql<{ chat: { chatIds: string[]; lastMessage: { body: string } } }>(
        CHAT,
        { sessionId: s.id, chatId },
        { token: s.token },
      );
      expect(opened.data!.chat.chatIds.sort()).toEqual([PHONE_ID, LID].sort());
    }
    expect(await sql(t, `select count(*)::int as n from messages where session_id = ?`, [s.id])).toEqual([
      { n: 2 },
    ]);
    // B's chat of the same person is B's alone.
    expect(await chatsOf(b)).toEqual(chatsOfB);

    const rows = await outboundRows(t);
    expect((await report({ sessionId: s.id, lid: LID, phoneId: PHONE_ID })).data).toEqual({
      reportContactIds: false,
    });
    expect(await outboundRows(t)).toBe(rows);
  });

  it('does nothing when WAHA does not know the phone number', async () => {
    const rows = await outboundRows(t);
    const unknown = await report({ sessionId: s.id, lid: '88000000000802@lid', phoneId: null });
    expect(unknown.data).toEqual({ reportContactIds: false });
    expect(await outboundRows(t)).toBe(rows);
  });

  it.each([
    ['a LID that is a phone-number id', { lid: PHONE_ID, phoneId: PHONE_ID }, 'input.lid'],
    ['a LID of letters', { lid: 'abc@lid', phoneId: PHONE_ID }, 'input.lid'],
    ['a phone id that is a LID', { lid: LID, phoneId: LID }, 'input.phoneId'],
    ['a phone id of a group', { lid: LID, phoneId: '120363000000000801@g.us' }, 'input.phoneId'],
  ])('refuses %s on its field, and changes nothing', async (_name, ids, field) => {
    const rows = await outboundRows(t);
    const result = await report({ sessionId: s.id, ...ids });
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field } }),
    ]);
    expect(await outboundRows(t)).toBe(rows);
  });

  it('refuses an unknown session as NOT_FOUND', async () => {
    const result = await report({ sessionId: 'ws_unknown', lid: LID, phoneId: PHONE_ID });
    expect(codesOf(result)).toEqual(['NOT_FOUND']);
  });
});
