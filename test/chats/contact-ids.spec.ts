import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { type ContactIdsService, findChat } from '../../src/chats/contact-ids.service.js';
import { toGlobalId } from '../../src/common/global-ids.js';
import { sql, type TestApp } from '../support/app.js';
import { type LinkedSession } from '../support/linked-session.js';
import {
  contactIdsOf,
  type InboundFixture,
  lookups,
  personMessage,
  shownChats,
  startInboundFixture,
} from './support/inbound-fixture.js';

/**
 * One contact, one chat: WAHA names a person by phone number or by LID, and where it says both
 * are one person the two map to one chat (NOWEB engine: its messages carry the other id in
 * `_data.key.remoteJidAlt`, as the simulator's do).
 */

describe('one contact, one chat', () => {
  let f: InboundFixture;
  let t: TestApp;
  let s: LinkedSession;
  let contactIds: ContactIdsService;
  let person = 0;
  /** A new person: their LID and phone-number id. */
  const nextPerson = () => {
    person += 1;
    return { lid: `${187743475368000 + person}@lid`, pn: `${4917100000000 + person}@c.us` };
  };
  const ref = () => ({ tenantId: s.tenantId, sessionId: s.id });

  /** The session's chats that have `ids`, with their messages' WAHA ids. */
  async function chatsOf(session: LinkedSession, ids: string[]) {
    return sql<{
      id: string;
      chat_id: string;
      alt_chat_id: string | null;
      unread_count: number;
      waha_ids: string[] | null;
    }>(
      t,
      `select c.id, c.chat_id, c.alt_chat_id, c.unread_count,
         (select array_agg(m.waha_id order by m.waha_id) from messages m where m.chat_id = c.id) as waha_ids
       from chats c where c.session_id = ? and (c.chat_id = any(array[?]::text[]) or c.alt_chat_id = any(array[?]::text[]))
       order by c.created_at`,
      [session.id, ids, ids],
    );
  }

  async function deliverAll(events: ReturnType<typeof personMessage>[]) {
    const answers = await Promise.all(events.map((payload) => f.deliver('message', payload)));
    expect(answers.map((a) => [a.status, a.body['status']])).toEqual(events.map(() => [200, 'stored']));
  }

  beforeAll(async () => {
    f = await startInboundFixture('ids-co', 'NOWEB');
    ({ t, session: s } = f);
    contactIds = contactIdsOf(t);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('makes one chat of a message naming both ids; messages under either id land in it; the number known, no lookup', async () => {
    const { lid, pn } = nextPerson();
    const first = personMessage(s, lid, { alt: pn });
    await deliverAll([first]);
    const byPhone = personMessage(s, pn);
    const byLid = personMessage(s, lid);
    await deliverAll([byPhone, byLid]);
    const [chat, ...others] = await chatsOf(s, [lid, pn]);
    expect(others).toEqual([]);
    expect(chat).toMatchObject({ chat_id: lid, alt_chat_id: pn, unread_count: 3 });
    expect(chat!.waha_ids).toEqual([first.id, byPhone.id, byLid.id].sort());
    expect((await shownChats(t, s)).find((c) => c.chatId === lid)).toMatchObject({
      id: toGlobalId('WhatsappChat', chat!.id),
      chatIds: [lid, pn],
      unreadCount: 3,
    });
    expect((await lookups(t, s)).filter((l) => l.lid === lid)).toEqual([]);
    // A dashboard opens the chat by either id, under its own tenant only.
    const em = t.app.get(MikroORM).em.fork();
    em.setFilterParams('tenant', { tenantId: s.tenantId });
    expect((await findChat(em, s.id, pn))?.chatId).toBe(lid);
    expect((await findChat(em, s.id, lid))?.chatId).toBe(lid);
    const other = t.app.get(MikroORM).em.fork();
    other.setFilterParams('tenant', { tenantId: '00000000-0000-4000-8000-000000000000' });
    expect(await findChat(other, s.id, pn)).toBeNull();
    const read = await t.gql<{ messages: { edges: { node: { wahaId: string; chatId: string } }[] } }>(
      `query($sessionId: ID!, $chatId: ID!) { messages(sessionId: $sessionId, chatId: $chatId) { edges { node { wahaId chatId } } } }`,
      { sessionId: s.id, chatId: pn },
      { token: s.token },
    );
    expect(read.data?.messages.edges.map((e) => e.node.wahaId).sort()).toEqual(
      [first.id, byPhone.id, byLid.id].sort(),
    );
    expect(new Set(read.data?.messages.edges.map((e) => e.node.chatId))).toEqual(new Set([lid]));
  });

  it('asks n8n once for the phone number of a new chat WAHA names by LID only; link gives the chat its number, once', async () => {
    const { lid, pn } = nextPerson();
    await deliverAll([personMessage(s, lid)]);
    await deliverAll([personMessage(s, lid)]);
    expect((await lookups(t, s)).filter((l) => l.lid === lid)).toEqual([{ lid }]);
    expect(await contactIds.link(ref(), lid, pn)).toBe('linked');
    expect(await contactIds.link(ref(), lid, pn)).toBe('unchanged');
    const later = personMessage(s, pn);
    await deliverAll([later]);
    const chats = await chatsOf(s, [lid, pn]);
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({ chat_id: lid, alt_chat_id: pn });
    expect(chats[0]!.waha_ids).toContain(later.id);
    expect(await contactIds.link(ref(), '1@lid', '491@c.us')).toBe('none');
    await expect(contactIds.link(ref(), pn, lid)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('merges two chats that exist already: every message moved once, a message stored under both ids kept once with its reactions', async () => {
    const { lid, pn } = nextPerson();
    const lidMessages = [personMessage(s, lid), personMessage(s, lid, { engineId: 'BAE5SAMEMESSAGE1' })];
    await deliverAll(lidMessages);
    const pnMessages = [
      personMessage(s, pn, { engineId: 'BAE5SAMEMESSAGE1' }),
      personMessage(s, pn),
      personMessage(s, pn),
    ];
    await deliverAll(pnMessages);
    // Someone reacted to the copy under the phone number.
    await sql(
      t,
      `insert into message_reactions (session_id, message_waha_id, sender_id, tenant_id, reaction, from_me, "timestamp", updated_at)
       values (?, ?, ?, ?, '👍', true, now(), now())`,
      [s.id, pnMessages[0]!.id, s.me, s.tenantId],
    );
    const before = await chatsOf(s, [lid, pn]);
    expect(before.map((c) => [c.chat_id, c.alt_chat_id, c.unread_count])).toEqual([
      [lid, null, 2],
      [pn, null, 3],
    ]);
    expect(await contactIds.link(ref(), lid, pn)).toBe('merged');
    const after = await chatsOf(s, [lid, pn]);
    expect(after).toHaveLength(1);
    // The older chat survives with both ids; the copy under the phone number is gone.
    expect(after[0]).toMatchObject({ id: before[0]!.id, chat_id: lid, alt_chat_id: pn, unread_count: 4 });
    expect(after[0]!.waha_ids).toEqual(
      [...lidMessages.map((m) => m.id), pnMessages[1]!.id, pnMessages[2]!.id].sort(),
    );
    expect(
      await sql(t, `select message_waha_id, reaction from message_reactions where session_id = ?`, [s.id]),
    ).toEqual([{ message_waha_id: lidMessages[1]!.id, reaction: '👍' }]);
    const [chat] = await sql<{ last: string }>(
      t,
      `select m.waha_id as last from chats c join messages m on m.id = c.last_message_id where c.id = ?`,
      [after[0]!.id],
    );
    expect(chat!.last).toBe(pnMessages[2]!.id);
    expect(await contactIds.link(ref(), lid, pn)).toBe('unchanged');
    expect(await contactIds.link(ref(), lid, pn)).toBe('unchanged');
  });

  it('merges under 16 concurrent events arriving under both ids: one chat, every message exactly once', async () => {
    for (let round = 0; round < 4; round++) {
      const { lid, pn } = nextPerson();
      // The LID's chat first: the older chat survives.
      const existing = [
        ...Array.from({ length: 3 }, () => personMessage(s, lid)),
        ...Array.from({ length: 3 }, () => personMessage(s, pn)),
      ];
      await deliverAll(existing.slice(0, 3));
      await deliverAll(existing.slice(3));
      expect(await chatsOf(s, [lid, pn])).toHaveLength(2);
      const racing = Array.from({ length: 16 }, (_, i) => personMessage(s, i % 2 === 0 ? lid : pn));
      const [linked] = await Promise.all([contactIds.link(ref(), lid, pn), deliverAll(racing)]);
      expect(linked).toBe('merged');
      const chats = await chatsOf(s, [lid, pn]);
      expect(chats.map((c) => [c.chat_id, c.alt_chat_id])).toEqual([[lid, pn]]);
      expect(chats[0]!.waha_ids).toEqual([...existing, ...racing].map((m) => m.id).sort());
      expect(chats[0]!.unread_count).toBe(22);
    }
  });

  it('keeps one row of a message WAHA delivers under the LID and under the phone number at once (GOWS sends both)', async () => {
    for (let round = 0; round < 6; round++) {
      const { lid, pn } = nextPerson();
      // Round 0..2: a person new to the service, both copies naming both ids; 3..5: a known person.
      if (round >= 3) await deliverAll([personMessage(s, lid, { alt: pn })]);
      const engineId = `BAE5TWIN${round}00000000`;
      const copies = [
        personMessage(s, lid, { alt: pn, engineId }),
        personMessage(s, pn, { alt: lid, engineId }),
      ];
      await deliverAll(copies);
      const chats = await chatsOf(s, [lid, pn]);
      expect(chats).toHaveLength(1);
      expect(chats[0]!.waha_ids!.filter((id) => id.endsWith(`_${engineId}`))).toHaveLength(1);
      expect(chats[0]!.unread_count).toBe(round >= 3 ? 2 : 1);
    }
  });

  it('has one effect for an event naming both ids delivered 16 times concurrently while the person has two chats', async () => {
    const { lid, pn } = nextPerson();
    await deliverAll([personMessage(s, lid)]);
    await deliverAll([personMessage(s, pn)]);
    const message = personMessage(s, lid, { alt: pn });
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => f.deliver('message', message, { id: 'evt_01m8both16times' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(16).fill(200));
    expect(answers.map((a) => a.body['status']).sort()).toEqual(
      ['stored', ...Array(15).fill('duplicate')].sort(),
    );
    const chats = await chatsOf(s, [lid, pn]);
    expect(chats.map((c) => [c.chat_id, c.alt_chat_id, c.waha_ids!.length, c.unread_count])).toEqual([
      [lid, pn, 3, 3],
    ]);
    expect(
      await sql(t, `select count(*)::int as n from messages where session_id = ? and waha_id = ?`, [
        s.id,
        message.id,
      ]),
    ).toEqual([{ n: 1 }]);
  });

  it('leaves another tenant’s session with the same ids untouched', async () => {
    const b = await f.link('ids-other-co');
    const { lid, pn } = nextPerson();
    for (const session of [s, b]) {
      for (const payload of [personMessage(session, lid), personMessage(session, pn)]) {
        expect((await f.deliver('message', payload, { session })).status).toBe(200);
      }
    }
    const bBefore = await chatsOf(b, [lid, pn]);
    expect(await contactIds.link(ref(), lid, pn)).toBe('merged');
    expect(await chatsOf(s, [lid, pn])).toHaveLength(1);
    expect(await chatsOf(b, [lid, pn])).toEqual(bBefore);
    // Tenant B's own link is its own.
    expect(await contactIds.link({ tenantId: b.tenantId, sessionId: s.id }, lid, pn)).toBe('none');
    expect(await chatsOf(b, [lid, pn])).toEqual(bBefore);
  });
});
