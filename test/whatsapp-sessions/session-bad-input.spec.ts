import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { idArgumentsOf } from '../support/schema-id-arguments.js';
import { internalGql } from '../support/internal-api.js';
import { CREATE } from './sessions.fragments.js';
import { badInput, tablesSnapshot } from '../support/bad-input.js';
import { createKey } from '../auth/api-keys.support.js';
import { CHAT, ID_CASES, type Ids, SPOILED_IDS } from './support/id-cases.js';

/**
 * Arguments of the public API a caller controls, from a caller with a valid token: an id that
 * cannot name a row (a NUL, another control character, a broken surrogate, over 200
 * characters) and text PostgreSQL cannot hold as given are BAD_USER_INPUT on the argument,
 * never INTERNAL_SERVER_ERROR, and change nothing.
 */

const CASES = Object.entries(ID_CASES).flatMap(([name, idCase]) =>
  SPOILED_IDS.map(([how, spoil]) => [name, how, idCase, spoil] as const),
);

const SESSION_FIELDS = `id displayName authMethod phoneNumber status updatedBy`;
const CREATE_DOC = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { ${SESSION_FIELDS} } }`;
const RENAME = `mutation($id: ID!, $displayName: String!) { renameWhatsappSession(id: $id, displayName: $displayName) { ${SESSION_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateWhatsappSessionInput!) { updateWhatsappSession(id: $id, input: $input) { ${SESSION_FIELDS} } }`;
const PAIRING = `mutation($id: ID!, $phoneNumber: String!) { requestWhatsappPairingCode(id: $id, phoneNumber: $phoneNumber) { ${SESSION_FIELDS} } }`;

describe('sessions API: ids and text a caller controls', () => {
  let t: TestApp;
  let token: string;
  let ids: Ids;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('bad-input-co');
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { input: { displayName: 'Bad input line' } },
      { token },
    );
    const { apiKey } = await createKey(t, token, ['read']);
    ids = { sessionId: created.data!.createWhatsappSession.id, apiKeyId: apiKey.id };
    // Linked, with a chat and a message: every operation has something it could change.
    const linked = await internalGql(
      t,
      `mutation($id: ID!) { reportSessionStatus(input: { sessionId: $id, status: WORKING, me: { id: "4915100000301@c.us" } }) { status } }`,
      { id: ids.sessionId },
    );
    expect(linked.data).toEqual({ reportSessionStatus: { status: 'WORKING' } });
    const stored = await internalGql(
      t,
      `mutation($input: UpsertMessagesInput!) { upsertMessages(input: $input) { created } }`,
      {
        input: {
          sessionId: ids.sessionId,
          messages: [
            {
              id: `false_${CHAT}_3EB0BADINPUT`,
              timestamp: Math.floor(Date.now() / 1000),
              from: CHAT,
              fromMe: false,
              to: '4915100000301@c.us',
              body: 'unread',
              hasMedia: false,
              ack: 1,
            },
          ],
        },
      },
    );
    expect(stored.data).toEqual({ upsertMessages: { created: 1 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const state = () => tablesSnapshot(t);

  it('covers every id argument of the public schema', () => {
    expect(Object.keys(ID_CASES).sort()).toEqual(idArgumentsOf('public.graphql'));
  });

  it.each(CASES)(
    '%s with %s: BAD_USER_INPUT on the argument, nothing changes',
    async (_n, _how, idCase, spoil) => {
      const valid = idCase.variables(ids);
      const variables = { ...valid, [idCase.argument]: spoil(valid[idCase.argument]!) };
      const refused = badInput(
        idCase.field ?? idCase.argument,
        idCase.expected && { expected: idCase.expected },
      );
      const before = await state();
      if (idCase.subscription) {
        const client = graphqlWsClient(t, token);
        const subscription = subscribeWs(client, idCase.query, variables);
        try {
          await subscription.collected.settled();
          expect(subscription.collected.errors.flat()).toEqual(refused);
          expect(subscription.collected.items).toEqual([]);
        } finally {
          subscription.dispose();
          await client.dispose();
        }
      } else {
        const result = await t.gql(idCase.query, variables, { token });
        expect(result.errors).toEqual(refused);
        expect(result.data ?? null).toEqual(idCase.refusedData ?? null);
      }
      expect(await state()).toBe(before);
    },
  );

  it('still finds the session by the id it returned, and an unknown well-formed id is NOT_FOUND', async () => {
    const found = await t.gql(
      `query($id: ID!) { whatsappSession(id: $id) { id } }`,
      { id: ids.sessionId },
      { token },
    );
    expect(found.data).toEqual({ whatsappSession: { id: ids.sessionId } });
    const unknown = await t.gql(
      `query($id: ID!) { whatsappSession(id: $id) { id } }`,
      { id: 'ws_01j0000000000000000000000x' },
      { token },
    );
    expect(unknown.errors).toEqual([expect.objectContaining({ extensions: { code: 'NOT_FOUND' } })]);
  });

  /** Text arguments: refused when PostgreSQL could not hold them as given (the caller can fix them). */
  const TEXT_CASES: [string, string, (id: string) => Record<string, unknown>, string][] = [
    [
      'createWhatsappSession, a NUL in the display name',
      CREATE_DOC,
      () => ({ input: { displayName: 'a\u0000b' } }),
      'input.displayName',
    ],
    [
      'createWhatsappSession, a lone high surrogate in the display name',
      CREATE_DOC,
      () => ({ input: { displayName: 'Line \uD83D' } }),
      'input.displayName',
    ],
    [
      'createWhatsappSession, a lone low surrogate in the display name',
      CREATE_DOC,
      () => ({ input: { displayName: '\uDE00 Line' } }),
      'input.displayName',
    ],
    [
      'createWhatsappSession, a display name of 10,000 characters',
      CREATE_DOC,
      () => ({ input: { displayName: 'x'.repeat(10_000) } }),
      'input.displayName',
    ],
    [
      'createWhatsappSession, a NUL in the phone number',
      CREATE_DOC,
      () => ({ input: { displayName: 'P', authMethod: 'PHONE_CODE', phoneNumber: '+49151234567\u0000' } }),
      'input.phoneNumber',
    ],
    [
      'createWhatsappSession, a lone surrogate in the phone number',
      CREATE_DOC,
      () => ({ input: { displayName: 'P', authMethod: 'PHONE_CODE', phoneNumber: '+4915123456\uD800' } }),
      'input.phoneNumber',
    ],
    [
      'createWhatsappSession, a phone number of 10,000 digits',
      CREATE_DOC,
      () => ({ input: { displayName: 'P', authMethod: 'PHONE_CODE', phoneNumber: '4'.repeat(10_000) } }),
      'input.phoneNumber',
    ],
    [
      'createWhatsappSession, a NUL in the idempotency key',
      CREATE_DOC,
      () => ({ input: { displayName: 'K', idempotencyKey: 'key\u0000' } }),
      'input.idempotencyKey',
    ],
    [
      'createWhatsappSession, an idempotency key of 10,000 characters',
      CREATE_DOC,
      () => ({ input: { displayName: 'K', idempotencyKey: 'k'.repeat(10_000) } }),
      'input.idempotencyKey',
    ],
    [
      'updateWhatsappSession, a lone surrogate in the display name',
      UPDATE,
      (id) => ({ id, input: { displayName: 'Line \uD800' } }),
      'input.displayName',
    ],
    [
      'updateWhatsappSession, a NUL in the phone number',
      UPDATE,
      (id) => ({ id, input: { phoneNumber: '+49151234567\u0000' } }),
      'input.phoneNumber',
    ],
    // rename names its own argument, so a form can map the error to its field.
    [
      'renameWhatsappSession, a lone surrogate in the display name',
      RENAME,
      (id) => ({ id, displayName: '\uDBFF Line' }),
      'displayName',
    ],
    [
      'renameWhatsappSession, a NUL in the display name',
      RENAME,
      (id) => ({ id, displayName: 'Line\u0000' }),
      'displayName',
    ],
    [
      'requestWhatsappPairingCode, a NUL in the phone number',
      PAIRING,
      (id) => ({ id, phoneNumber: '+49151234567\u0000' }),
      'phoneNumber',
    ],
    [
      'requestWhatsappPairingCode, a lone surrogate in the phone number',
      PAIRING,
      (id) => ({ id, phoneNumber: '\uD800+49151234567' }),
      'phoneNumber',
    ],
    [
      'requestWhatsappPairingCode, a phone number of 10,000 digits',
      PAIRING,
      (id) => ({ id, phoneNumber: '4'.repeat(10_000) }),
      'phoneNumber',
    ],
  ];

  it.each(TEXT_CASES)(
    '%s: BAD_USER_INPUT on its field, nothing changes',
    async (_name, query, variables, field) => {
      const before = await state();
      const result = await t.gql(query, variables(ids.sessionId), { token });
      expect(result.errors).toEqual(badInput(field));
      expect(await state()).toBe(before);
    },
  );

  it('keeps display names with paired surrogates (emoji) as they are', async () => {
    const result = await t.gql<{ createWhatsappSession: { displayName: string } }>(
      CREATE_DOC,
      { input: { displayName: 'Support 😀' } },
      { token },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.createWhatsappSession.displayName).toBe('Support 😀');
  });
});
