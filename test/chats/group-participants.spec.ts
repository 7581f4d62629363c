import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import { codesOf, sql, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { internalGql } from '../support/internal-api.js';
import {
  CREATE_SESSION,
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import {
  CHAT,
  CHATS_OUT,
  commandsOf,
  outboundRows,
  REFRESH_GROUP,
  reportGroup,
  UPSERT_CHATS,
} from './support/outbound-api.js';

const GROUP = '120363000000000701@g.us';
const MEMBERS = [
  { id: '4917000000701@c.us', phoneId: '4917000000701@c.us', role: 'superadmin' },
  { id: '88000000000702@lid', phoneId: '4917000000702@c.us', role: 'admin' },
  { id: '88000000000703@lid', phoneId: null, role: 'participant' },
];
/** Members as the public API shows them: WAHA's id is wahaId there (n8n's reports call it id). */
const shownAs = (members: typeof MEMBERS) => members.map(({ id, ...rest }) => ({ wahaId: id, ...rest }));
const SHOWN = shownAs(MEMBERS);

interface GroupChat {
  id: string;
  chatId: string;
  isGroup: boolean;
  name: string | null;
  participants: { wahaId: string; phoneId: string | null; role: string | null }[] | null;
  participantsFetchedAt: string | null;
}

/** A group's participants, fetched on demand through n8n and shown on the chat. */
describe('group participants', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let s: LinkedSession;
  let b: LinkedSession;

  const refresh = (session: LinkedSession, chatId: string, token = session.token) =>
    t.gql<{ refreshWhatsappGroupParticipants: boolean }>(
      REFRESH_GROUP,
      { sessionId: session.id, chatId },
      { token },
    );
  const chat = async (chatId: string) => {
    const result = await t.gql<{ chat: GroupChat }>(CHAT, { sessionId: s.id, chatId }, { token: s.token });
    if (!result.data) throw new Error(JSON.stringify(result.errors));
    return result.data.chat;
  };

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'groups-a' });
    ({ t, session: s } = f);
    b = await f.link('groups-b');
    // The group as WAHA's chats overview gives it, and one message in it.
    const upserted = await internalGql(t, UPSERT_CHATS, {
      input: { sessionId: s.id, chats: [{ id: GROUP, name: 'Team' }] },
    });
    expect(upserted.errors).toBeUndefined();
    const message = {
      ...inboundMessage(s, GROUP, 'Morning all', Math.floor(Date.now() / 1000)),
      participant: '4917000000701@c.us',
    };
    expect((await f.deliver('message', message)).status).toBe(200);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('queues group.participants once, stores what n8n reports with the subject as the name, and shows it like any chat', async () => {
    expect((await chat(GROUP)).participants).toBeNull();
    expect((await refresh(s, GROUP)).data).toEqual({ refreshWhatsappGroupParticipants: true });
    expect((await refresh(s, GROUP)).data).toEqual({ refreshWhatsappGroupParticipants: false });
    const [command, ...more] = await commandsOf(t, s, 'group.participants');
    expect(more).toEqual([]);
    expect(command!.payload).toEqual({ chatId: GROUP });

    const report = {
      sessionId: s.id,
      commandId: command!.id,
      chatId: GROUP,
      subject: 'Team Berlin',
      participants: MEMBERS,
    };
    expect((await reportGroup(t, report)).data).toEqual({ reportGroupParticipants: true });
    const shown = await chat(GROUP);
    expect(shown).toMatchObject({
      id: expect.stringMatching(/^wc_/),
      chatId: GROUP,
      isGroup: true,
      name: 'Team Berlin',
      participants: SHOWN,
    });
    const [commandRow] = await sql<{ created_at: Date | string }>(
      t,
      `select created_at from outbox_commands where id = ?`,
      [command!.id],
    );
    expect(new Date(shown.participantsFetchedAt!).getTime()).toBe(new Date(commandRow!.created_at).getTime());
    const listed = await t.gql<{ chats: { edges: { node: GroupChat }[] } }>(
      CHATS_OUT,
      { sessionId: s.id },
      { token: s.token },
    );
    expect(listed.data!.chats.edges.map((e) => e.node).find((c) => c.chatId === GROUP)).toMatchObject({
      id: shown.id,
      isGroup: true,
      participants: SHOWN,
    });

    // n8n retrying the report changes nothing.
    const rows = await outboundRows(t);
    expect((await reportGroup(t, report)).data).toEqual({ reportGroupParticipants: false });
    expect(await outboundRows(t)).toBe(rows);

    // A newer refresh (once n8n has the first) wins; the older one's late report then changes nothing.
    await sql(t, `update outbox_commands set status = 'DELIVERED' where id = ?`, [command!.id]);
    expect((await refresh(s, GROUP)).data).toEqual({ refreshWhatsappGroupParticipants: true });
    const newer = (await commandsOf(t, s, 'group.participants')).at(-1)!;
    const fewer = MEMBERS.slice(0, 2);
    expect(
      (await reportGroup(t, { sessionId: s.id, commandId: newer.id, chatId: GROUP, participants: fewer }))
        .data,
    ).toEqual({ reportGroupParticipants: true });
    expect(await chat(GROUP)).toMatchObject({ name: 'Team Berlin', participants: shownAs(fewer) });
    const after = await outboundRows(t);
    expect((await reportGroup(t, report)).data).toEqual({ reportGroupParticipants: false });
    expect(await outboundRows(t)).toBe(after);
  });

  it('pushes the participants live with the group chat, on whatsappMessageUpserted', async () => {
    await sql(t, `update outbox_commands set status = 'DELIVERED' where type = 'group.participants'`);
    expect((await refresh(s, GROUP)).data).toEqual({ refreshWhatsappGroupParticipants: true });
    const command = (await commandsOf(t, s, 'group.participants')).at(-1)!;
    const client = graphqlWsClient(t, s.token);
    const live = subscribeWs<{
      whatsappMessageUpserted: { chat: { id: string; chatId: string; participants: unknown } };
    }>(
      client,
      `subscription($sessionId: ID!, $chatId: ID) { whatsappMessageUpserted(sessionId: $sessionId, chatId: $chatId) { chat { id chatId participants { wahaId phoneId role } } } }`,
      { sessionId: s.id, chatId: GROUP },
    );
    try {
      await eventually(() => expect(t.app.get(RealtimeService).listenerCount).toBeGreaterThanOrEqual(1));
      const report = { sessionId: s.id, commandId: command.id, chatId: GROUP, participants: MEMBERS };
      expect((await reportGroup(t, report)).data).toEqual({ reportGroupParticipants: true });
      await live.collected.until((items) => items.length >= 1);
      expect(live.collected.items[0]!.whatsappMessageUpserted.chat).toEqual({
        id: (await chat(GROUP)).id,
        chatId: GROUP,
        participants: SHOWN,
      });
    } finally {
      live.dispose();
      await client.dispose();
    }
  });

  it.each([
    ['a person’s chat', '4917000000704@c.us'],
    ['a word', 'team'],
  ])('refuses to refresh %s as BAD_USER_INPUT on chatId', async (_name, chatId) => {
    const before = await outboundRows(t);
    const result = await refresh(s, chatId);
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'chatId' } }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });

  it("refuses an unknown group, and tenant B's refreshes of A's group, as NOT_FOUND", async () => {
    const before = await outboundRows(t);
    expect(codesOf(await refresh(s, '120363000000000799@g.us'))).toEqual(['NOT_FOUND']);
    expect(codesOf(await refresh(s, GROUP, b.token))).toEqual(['NOT_FOUND']);
    expect(codesOf(await refresh(b, GROUP))).toEqual(['NOT_FOUND']);
    // n8n reporting for B's session finds no such group there.
    const report = await reportGroup(t, { sessionId: b.id, chatId: GROUP, participants: MEMBERS });
    expect(report.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'NOT_FOUND', field: 'input.chatId' } }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });

  it('refuses to refresh through a session that is not WORKING', async () => {
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE_SESSION,
      { input: { displayName: 'Unlinked groups' } },
      { token: s.token },
    );
    const result = await t.gql(
      REFRESH_GROUP,
      { sessionId: created.data!.createWhatsappSession.id, chatId: GROUP },
      { token: s.token },
    );
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: "The session is CREATING; WAHA's groups need WORKING",
        extensions: { code: 'FAILED_PRECONDITION', details: { status: 'CREATING', expected: ['WORKING'] } },
      }),
    ]);
  });

  it.each([
    ['a chat id that is not a group', { chatId: '4917000000704@c.us' }, 'input.chatId'],
    [
      'a member id of another kind',
      { participants: [{ id: 'someone', role: 'admin' }] },
      'input.participants[0].id',
    ],
    [
      'a phone id that is a LID',
      { participants: [MEMBERS[0], { id: '88000000000705@lid', phoneId: '88000000000705@lid' }] },
      'input.participants[1].phoneId',
    ],
    [
      'a role with a NUL',
      { participants: [{ id: '4917000000706@c.us', role: 'admin\u0000' }] },
      'input.participants[0].role',
    ],
    [
      'more than 5000 members',
      {
        participants: Array.from({ length: 5001 }, (_, i) => ({
          id: `49170${String(i).padStart(8, '0')}@c.us`,
        })),
      },
      'input.participants',
    ],
  ])('refuses a report with %s on its field, and stores nothing', async (_name, change, field) => {
    const before = await outboundRows(t);
    const result = await reportGroup(t, { sessionId: s.id, chatId: GROUP, participants: MEMBERS, ...change });
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field } }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });
});
