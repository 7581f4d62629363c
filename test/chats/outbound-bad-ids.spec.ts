import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type TestApp } from '../support/app.js';
import {
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import { CHAT, messagesOut, outboundRows, REACT, REFRESH_GROUP, SEND_OUT } from './support/outbound-api.js';

const CUSTOMER = '4917000001001@c.us';
const GROUP = '120363000000001001@g.us';

/** What the cases name: the session, and a message and its chat by WAHA's ids and by ours (wm_…, wc_…). */
interface Ids {
  sessionId: string;
  messageId: string;
  messageNodeId: string;
  chatNodeId: string;
}

/** One public operation of the outbound API taking an id, with valid variables and where the id is. */
interface IdCase {
  query: string;
  variables: (ids: Ids) => Record<string, unknown>;
  /** The variable path spoiled, which is also the field the error names. */
  path: string;
}

const CASES: Record<string, IdCase> = {
  'Query.chat(sessionId)': {
    query: CHAT,
    variables: ({ sessionId }) => ({ sessionId, chatId: CUSTOMER }),
    path: 'sessionId',
  },
  'Query.chat(chatId)': {
    query: CHAT,
    variables: ({ sessionId }) => ({ sessionId, chatId: CUSTOMER }),
    path: 'chatId',
  },
  'Query.chat(chatId) by our id': {
    query: CHAT,
    variables: ({ sessionId, chatNodeId }) => ({ sessionId, chatId: chatNodeId }),
    path: 'chatId',
  },
  'Mutation.sendWhatsappMessage(replyTo)': {
    query: SEND_OUT,
    variables: ({ sessionId, messageId }) => ({ sessionId, to: CUSTOMER, text: 'Hi', replyTo: messageId }),
    path: 'replyTo',
  },
  'Mutation.sendWhatsappMessage(replyTo) by our id': {
    query: SEND_OUT,
    variables: ({ sessionId, messageNodeId }) => ({
      sessionId,
      to: CUSTOMER,
      text: 'Hi',
      replyTo: messageNodeId,
    }),
    path: 'replyTo',
  },
  'Mutation.reactToWhatsappMessage(input.sessionId)': {
    query: REACT,
    variables: ({ sessionId, messageId }) => ({ input: { sessionId, messageId, reaction: '👍' } }),
    path: 'input.sessionId',
  },
  'Mutation.reactToWhatsappMessage(input.messageId)': {
    query: REACT,
    variables: ({ sessionId, messageId }) => ({ input: { sessionId, messageId, reaction: '👍' } }),
    path: 'input.messageId',
  },
  'Mutation.reactToWhatsappMessage(input.messageId) by our id': {
    query: REACT,
    variables: ({ sessionId, messageNodeId }) => ({
      input: { sessionId, messageId: messageNodeId, reaction: '👍' },
    }),
    path: 'input.messageId',
  },
  'Mutation.refreshWhatsappGroupParticipants(sessionId)': {
    query: REFRESH_GROUP,
    variables: ({ sessionId }) => ({ sessionId, chatId: GROUP }),
    path: 'sessionId',
  },
  'Mutation.refreshWhatsappGroupParticipants(chatId)': {
    query: REFRESH_GROUP,
    variables: ({ sessionId }) => ({ sessionId, chatId: GROUP }),
    path: 'chatId',
  },
};

const SPOILED: [string, (id: string) => string][] = [
  ['a NUL', (id) => `${id}\u0000`],
  ['a line feed', (id) => `${id}\n`],
  ['a lone surrogate', (id) => `${id}\uD800`],
  ['over 200 characters', (id) => id.padEnd(201, 'x')],
];

function spoiled(variables: Record<string, unknown>, path: string, spoil: (id: string) => string) {
  const copy = structuredClone(variables);
  const keys = path.split('.');
  let at = copy;
  for (const key of keys.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[keys.at(-1)!] = spoil(at[keys.at(-1)!] as string);
  return copy;
}

/**
 * The ids the outbound operations take (mediaId has its own cases in outbound-media.spec.ts):
 * one that can name no row is BAD_USER_INPUT on its field, never a 500, and changes nothing.
 */
describe('outbound API: ids that can name nothing', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let s: LinkedSession;
  let ids: Ids;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'bad-ids-co' });
    ({ t, session: s } = f);
    const message = inboundMessage(s, CUSTOMER, 'Hello', Math.floor(Date.now() / 1000));
    expect((await f.deliver('message', message)).status).toBe(200);
    const [stored] = await messagesOut(t, s, CUSTOMER);
    const chat = await t.gql<{ chat: { id: string } }>(
      CHAT,
      { sessionId: s.id, chatId: CUSTOMER },
      { token: s.token },
    );
    ids = {
      sessionId: s.id,
      messageId: message.id,
      messageNodeId: stored!.id,
      chatNodeId: chat.data!.chat.id,
    };
    expect(ids.messageNodeId).toMatch(/^wm_/);
    expect(ids.chatNodeId).toMatch(/^wc_/);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('takes every case as given (so the refusals below are the id’s doing)', async () => {
    for (const [name, idCase] of Object.entries(CASES)) {
      if (name.startsWith('Mutation.refreshWhatsappGroupParticipants')) continue; // no such group: NOT_FOUND
      const result = await t.gql(idCase.query, idCase.variables(ids), { token: s.token });
      expect([name, result.errors]).toEqual([name, undefined]);
    }
  });

  it.each(
    Object.entries(CASES).flatMap(([name, idCase]) =>
      SPOILED.map(([how, spoil]) => [name, how, idCase, spoil] as const),
    ),
  )('%s with %s: BAD_USER_INPUT on the field, nothing changes', async (_name, _how, idCase, spoil) => {
    const before = await outboundRows(t);
    const result = await t.gql(idCase.query, spoiled(idCase.variables(ids), idCase.path, spoil), {
      token: s.token,
    });
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: idCase.path } }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });
});
