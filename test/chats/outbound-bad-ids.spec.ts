import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type TestApp } from '../support/app.js';
import {
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
} from '../support/linked-session.js';
import { CHAT, outboundRows, REACT, REFRESH_GROUP, SEND_OUT } from './support/outbound-api.js';

const CUSTOMER = '4917000001001@c.us';
const GROUP = '120363000000001001@g.us';

/** One public operation of the outbound API taking an id, with valid variables and where the id is. */
interface IdCase {
  query: string;
  variables: (sessionId: string, messageId: string) => Record<string, unknown>;
  /** The variable path spoiled, which is also the field the error names. */
  path: string;
}

const CASES: Record<string, IdCase> = {
  'Query.chat(sessionId)': {
    query: CHAT,
    variables: (sessionId) => ({ sessionId, chatId: CUSTOMER }),
    path: 'sessionId',
  },
  'Query.chat(chatId)': {
    query: CHAT,
    variables: (sessionId) => ({ sessionId, chatId: CUSTOMER }),
    path: 'chatId',
  },
  'Mutation.sendWhatsappMessage(replyTo)': {
    query: SEND_OUT,
    variables: (sessionId, messageId) => ({ sessionId, to: CUSTOMER, text: 'Hi', replyTo: messageId }),
    path: 'replyTo',
  },
  'Mutation.reactToWhatsappMessage(input.sessionId)': {
    query: REACT,
    variables: (sessionId, messageId) => ({ input: { sessionId, messageId, reaction: '👍' } }),
    path: 'input.sessionId',
  },
  'Mutation.reactToWhatsappMessage(input.messageId)': {
    query: REACT,
    variables: (sessionId, messageId) => ({ input: { sessionId, messageId, reaction: '👍' } }),
    path: 'input.messageId',
  },
  'Mutation.refreshWhatsappGroupParticipants(sessionId)': {
    query: REFRESH_GROUP,
    variables: (sessionId) => ({ sessionId, chatId: GROUP }),
    path: 'sessionId',
  },
  'Mutation.refreshWhatsappGroupParticipants(chatId)': {
    query: REFRESH_GROUP,
    variables: (sessionId) => ({ sessionId, chatId: GROUP }),
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
  let messageId: string;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'bad-ids-co' });
    ({ t, session: s } = f);
    const message = inboundMessage(s, CUSTOMER, 'Hello', Math.floor(Date.now() / 1000));
    expect((await f.deliver('message', message)).status).toBe(200);
    messageId = message.id;
  });
  afterAll(async () => {
    await f?.close();
  });

  it('takes every case as given (so the refusals below are the id’s doing)', async () => {
    for (const [name, idCase] of Object.entries(CASES)) {
      if (name.startsWith('Mutation.refreshWhatsappGroupParticipants')) continue; // no such group: NOT_FOUND
      const result = await t.gql(idCase.query, idCase.variables(s.id, messageId), { token: s.token });
      expect([name, result.errors]).toEqual([name, undefined]);
    }
  });

  it.each(
    Object.entries(CASES).flatMap(([name, idCase]) =>
      SPOILED.map(([how, spoil]) => [name, how, idCase, spoil] as const),
    ),
  )('%s with %s: BAD_USER_INPUT on the field, nothing changes', async (_name, _how, idCase, spoil) => {
    const before = await outboundRows(t);
    const result = await t.gql(idCase.query, spoiled(idCase.variables(s.id, messageId), idCase.path, spoil), {
      token: s.token,
    });
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: idCase.path } }),
    ]);
    expect(await outboundRows(t)).toBe(before);
  });
});
