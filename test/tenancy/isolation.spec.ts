import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { OutboxCommand } from '../../src/outbox/outbox-command.entity.js';
import { WhatsappSession } from '../../src/whatsapp-sessions/whatsapp-session.entity.js';
import { Chat } from '../../src/chats/chat.entity.js';
import { Message } from '../../src/chats/message.entity.js';
import { parseGlobalId, toGlobalId } from '../../src/common/global-ids.js';
import { codesOf, startTestApp, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import { CREATE, SESSION_FIELDS } from '../whatsapp-sessions/sessions.fragments.js';

/**
 * Tenant B, with a valid token of its own, aims every session operation at tenant A's
 * session: each is NOT_FOUND (not FORBIDDEN: B must not learn that the id exists) and A's
 * row is byte-for-byte unchanged. node/nodes answer null instead, exactly as for an id that
 * names nothing (`answer`): the same rule, in the shape of a nullable field.
 */
const ATTACKS: Record<
  string,
  { query: string; variables: (id: string) => Record<string, unknown>; answer?: Record<string, unknown> }
> = {
  'Query.whatsappSession': {
    query: `query($id: ID!) { whatsappSession(id: $id) { id } }`,
    variables: (id) => ({ id }),
  },
  'Mutation.renameWhatsappSession': {
    query: `mutation($id: ID!) { renameWhatsappSession(id: $id, displayName: "Taken over") { id } }`,
    variables: (id) => ({ id }),
  },
  'Mutation.updateWhatsappSession': {
    query: `mutation($id: ID!) { updateWhatsappSession(id: $id, input: { displayName: "Taken over", phoneNumber: "+15550001111" }) { id } }`,
    variables: (id) => ({ id }),
  },
  'Mutation.stopWhatsappSession': {
    query: `mutation($id: ID!) { stopWhatsappSession(id: $id) { id } }`,
    variables: (id) => ({ id }),
  },
  'Mutation.restartWhatsappSession': {
    query: `mutation($id: ID!) { restartWhatsappSession(id: $id) { id } }`,
    variables: (id) => ({ id }),
  },
  'Mutation.logoutWhatsappSession': {
    query: `mutation($id: ID!) { logoutWhatsappSession(id: $id) { id } }`,
    variables: (id) => ({ id }),
  },
  'Mutation.refreshWhatsappSessionLimits': {
    query: `mutation($id: ID!) { refreshWhatsappSessionLimits(id: $id) { id messageCapping { status } } }`,
    variables: (id) => ({ id }),
  },
  'Mutation.refreshWhatsappSessionQr': {
    query: `mutation($id: ID!) { refreshWhatsappSessionQr(id: $id) { id qr { value } } }`,
    variables: (id) => ({ id }),
  },
  'Mutation.requestWhatsappPairingCode': {
    query: `mutation($id: ID!) { requestWhatsappPairingCode(id: $id, phoneNumber: "+49 151 2345678") { id } }`,
    variables: (id) => ({ id }),
  },
  'Mutation.deleteWhatsappSession': {
    query: `mutation($id: ID!) { deleteWhatsappSession(id: $id) { id } }`,
    variables: (id) => ({ id }),
  },
  'Query.node': {
    query: `query($id: ID!) { node(id: $id) { id ... on WhatsappSession { displayName } } }`,
    variables: (id) => ({ id }),
    answer: { node: null },
  },
  'Query.nodes': {
    query: `query($id: ID!) { nodes(ids: [$id]) { id ... on WhatsappSession { displayName } } }`,
    variables: (id) => ({ id }),
    answer: { nodes: [null] },
  },
  'Query.chats': {
    query: `query($id: ID!) { chats(sessionId: $id) { edges { node { id lastMessage { body } } } } }`,
    variables: (id) => ({ id }),
  },
  'Query.messages': {
    query: `query($id: ID!, $chatId: ID!) { messages(sessionId: $id, chatId: $chatId) { edges { node { id body } } } }`,
    variables: (id) => ({ id, chatId: CHAT_OF_A }),
  },
  'Query.chat': {
    query: `query($id: ID!, $chatId: ID!) { chat(sessionId: $id, chatId: $chatId) { id } }`,
    variables: (id) => ({ id, chatId: CHAT_OF_A }),
  },
  'Mutation.refreshWhatsappGroupParticipants': {
    query: `mutation($id: ID!) { refreshWhatsappGroupParticipants(sessionId: $id, chatId: "120363000000000001@g.us") }`,
    variables: (id) => ({ id }),
  },
  'Mutation.sendWhatsappMessage': {
    query: `mutation($id: ID!, $chatId: String!) { sendWhatsappMessage(sessionId: $id, to: $chatId, text: "Taken over") { id } }`,
    variables: (id) => ({ id, chatId: CHAT_OF_A }),
  },
  'Mutation.markChatRead': {
    query: `mutation($id: ID!, $chatId: ID!) { markChatRead(sessionId: $id, chatId: $chatId) { id unreadCount } }`,
    variables: (id) => ({ id, chatId: CHAT_OF_A }),
  },
  'Mutation.syncWhatsappChats': {
    query: `mutation($id: ID!) { syncWhatsappChats(sessionId: $id) }`,
    variables: (id) => ({ id }),
  },
  // Aimed at A's API key rather than A's session.
  'Mutation.revokeApiKey': {
    query: `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`,
    variables: () => ({ id: keyOfA }),
  },
  // Aimed at A's webhook endpoint and one of its deliveries (see 'tenant webhooks' below).
  'Mutation.rotateWebhookEndpointSecret': {
    query: `mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { secret } }`,
    variables: () => ({ id: hooksOfA.endpoint }),
  },
  'Mutation.deleteWebhookEndpoint': {
    query: `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }`,
    variables: () => ({ id: hooksOfA.endpoint }),
  },
  'Mutation.replayWebhookDelivery': {
    query: `mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }`,
    variables: () => ({ id: hooksOfA.delivery }),
  },
};

/** Tenant A's webhook endpoint and a delivery of it (set once A exists). */
const hooksOfA = { endpoint: '', delivery: '' };

/** The id of an API key of tenant A (set once A exists). */
let keyOfA = '';

const UPSERT_MESSAGES = `mutation($input: UpsertMessagesInput!) { upsertMessages(input: $input) { created } }`;

/** A chat of A's session, with an unread message, that B aims at. */
const CHAT_OF_A = '4917000000001@c.us';

function wahaMessage(chatId: string, body: string) {
  return {
    id: `false_${chatId}_3EB0${Math.random().toString(16).slice(2, 14).toUpperCase()}`,
    timestamp: Math.floor(Date.now() / 1000),
    from: chatId,
    fromMe: false,
    to: '4915100000000@c.us',
    body,
    hasMedia: false,
    ack: 1,
  };
}

describe('tenant isolation', () => {
  let t: TestApp;
  let tokenA: string;
  let tokenB: string;
  let sessionA: { id: string; displayName: string };

  beforeAll(async () => {
    t = await startTestApp({ GRAPHQL_INTROSPECTION: 'true' });
    tokenA = await t.token('tenant-a');
    tokenB = await t.token('tenant-b');
    sessionA = (
      await t.gql<{ createWhatsappSession: { id: string; displayName: string } }>(
        CREATE,
        { input: { displayName: 'A private' } },
        { token: tokenA },
      )
    ).data!.createWhatsappSession;
    // n8n's part: A's session is linked and has a chat with an unread message.
    const linked = await internalGql(
      t,
      `mutation($id: ID!) { reportSessionStatus(input: { sessionId: $id, status: WORKING, me: { id: "4915100000000@c.us" } }) { id } }`,
      { id: sessionA.id },
    );
    expect(linked.errors).toBeUndefined();
    const chats = await internalGql(
      t,
      `mutation($input: UpsertChatsInput!) { upsertChats(input: $input) { created } }`,
      {
        input: {
          sessionId: sessionA.id,
          chats: [{ id: CHAT_OF_A, name: 'Customer of A', _chat: { unreadCount: 1 } }],
        },
      },
    );
    expect(chats.errors).toBeUndefined();
    const messages = await internalGql(t, UPSERT_MESSAGES, {
      input: { sessionId: sessionA.id, messages: [wahaMessage(CHAT_OF_A, 'A secret')] },
    });
    expect(messages.errors).toBeUndefined();
    const key = await t.gql<{ createApiKey: { apiKey: { id: string } } }>(
      `mutation { createApiKey(input: { name: "A's backend", scopes: [READ] }) { apiKey { id } } }`,
      {},
      { token: tokenA },
    );
    keyOfA = key.data!.createApiKey.apiKey.id;
    // A webhook endpoint of A, and a delivery of it: A's session stops and works again.
    const endpoint = await t.gql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
      `mutation { createWebhookEndpoint(input: { url: "https://93.184.215.14/a", events: [SESSION_STATUS_CHANGED] }) { endpoint { id } } }`,
      {},
      { token: tokenA },
    );
    hooksOfA.endpoint = endpoint.data!.createWebhookEndpoint.endpoint.id;
    for (const status of ['STOPPED', 'WORKING']) {
      const reported = await internalGql(
        t,
        `mutation($id: ID!, $status: WahaSessionStatus!) { reportSessionStatus(input: { sessionId: $id, status: $status }) { id } }`,
        { id: sessionA.id, status },
      );
      expect(reported.errors).toBeUndefined();
    }
    const [delivery] = await t.app
      .get(MikroORM)
      .em.fork()
      .getConnection()
      .execute<{ id: string }[]>(`select id from tenant_webhook_deliveries where endpoint_id = ?`, [
        parseGlobalId(hooksOfA.endpoint)!.key,
      ]);
    hooksOfA.delivery = toGlobalId('WebhookDelivery', delivery!.id);
  });
  afterAll(() => t.close());

  /** A's chats and messages as stored: an attack must not read or change them. */
  async function chatsOfA() {
    const em = t.app.get(MikroORM).em.fork() as SqlEntityManager;
    return JSON.stringify([
      await em.execute(`select * from chats where session_id = ? order by id`, [sessionA.id]),
      await em.execute(`select * from messages where session_id = ? order by id`, [sessionA.id]),
    ]);
  }

  /** Commands written for A's session: an attack must not queue work for n8n either. */
  async function commandsOfA() {
    return t.app.get(MikroORM).em.fork().count(OutboxCommand, { sessionId: sessionA.id });
  }

  async function rowOfA() {
    return t.app
      .get(MikroORM)
      .em.fork()
      .findOneOrFail(WhatsappSession, { id: sessionA.id }, { filters: false });
  }

  it('covers every operation of the public schema that takes a session id', async () => {
    const result = await t.gql<IntrospectionQuery>(getIntrospectionQuery(), {});
    const schema = buildClientSchema(result.data!);
    const byId = [schema.getQueryType()!, schema.getMutationType()!].flatMap((root) =>
      Object.values(root.getFields())
        .filter((field) => field.args.some((arg) => ['id', 'ids', 'sessionId'].includes(arg.name)))
        .map((field) => `${root.name}.${field.name}`),
    );
    expect(byId.sort()).toEqual(Object.keys(ATTACKS).sort());
  });

  it.each(Object.entries(ATTACKS))(
    "%s on another tenant's session finds nothing (NOT_FOUND, or null) and changes nothing",
    async (_name, attack) => {
      const before = JSON.stringify(await rowOfA());
      const commandsBefore = await commandsOfA();
      const chatsBefore = await chatsOfA();
      const result = await t.gql(attack.query, attack.variables(sessionA.id), { token: tokenB });
      if (attack.answer) {
        expect(result).toEqual({ status: 200, data: attack.answer });
        // A's own call finds the session: B's null is the tenant rule, not an id naming nothing.
        const own = await t.gql(attack.query, attack.variables(sessionA.id), { token: tokenA });
        expect(JSON.stringify(own.data)).toContain(`"id":"${sessionA.id}"`);
      } else expect(codesOf(result)).toEqual(['NOT_FOUND']);
      expect(JSON.stringify(await rowOfA())).toBe(before);
      expect(await commandsOfA()).toBe(commandsBefore);
      expect(await chatsOfA()).toBe(chatsBefore);
    },
  );

  it("refuses a reaction to A's message through A's session id as NOT_FOUND, queuing nothing", async () => {
    const [message] = await t.app
      .get(MikroORM)
      .em.fork()
      .getConnection()
      .execute<{ waha_id: string }[]>(`select waha_id from messages where session_id = ?`, [sessionA.id]);
    const commandsBefore = await commandsOfA();
    const chatsBefore = await chatsOfA();
    const result = await t.gql(
      `mutation($input: ReactToWhatsappMessageInput!) { reactToWhatsappMessage(input: $input) }`,
      { input: { sessionId: sessionA.id, messageId: message!.waha_id, reaction: '👍' } },
      { token: tokenB },
    );
    expect(codesOf(result)).toEqual(['NOT_FOUND']);
    expect(await commandsOfA()).toBe(commandsBefore);
    expect(await chatsOfA()).toBe(chatsBefore);
  });

  it("does not list or revoke another tenant's API keys", async () => {
    const list = `{ apiKeys { id revokedAt } }`;
    const ofB = await t.gql<{ apiKeys: unknown[] }>(list, {}, { token: tokenB });
    expect(ofB.data).toEqual({ apiKeys: [] });
    const ofA = await t.gql<{ apiKeys: unknown[] }>(list, {}, { token: tokenA });
    expect(ofA.data).toEqual({ apiKeys: [{ id: keyOfA, revokedAt: null }] });
  });

  it("keeps tenant webhooks apart: B neither sees, changes nor replays A's endpoint or deliveries", async () => {
    const stateOfA = async () =>
      JSON.stringify(
        await t.app
          .get(MikroORM)
          .em.fork()
          .getConnection()
          .execute(
            `select e.*, d.* from tenant_webhook_endpoints e left join tenant_webhook_deliveries d on d.endpoint_id = e.id
              where e.id = ? order by d.id`,
            [parseGlobalId(hooksOfA.endpoint)!.key],
          ),
      );
    const before = await stateOfA();
    const attacks: [string, Record<string, unknown>][] = [
      [
        `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { id } }`,
        { input: { id: hooksOfA.endpoint, enabled: false } },
      ],
      [
        `query($id: ID!) { webhookDeliveries(endpointId: $id) { edges { node { id } } } }`,
        { id: hooksOfA.endpoint },
      ],
      [
        `mutation($id: ID!) { replayWebhookEndpoint(endpointId: $id, since: "2000-01-01T00:00:00Z") }`,
        { id: hooksOfA.endpoint },
      ],
      [ATTACKS['Mutation.rotateWebhookEndpointSecret']!.query, { id: hooksOfA.endpoint }],
      [ATTACKS['Mutation.deleteWebhookEndpoint']!.query, { id: hooksOfA.endpoint }],
      [ATTACKS['Mutation.replayWebhookDelivery']!.query, { id: hooksOfA.delivery }],
    ];
    for (const [query, variables] of attacks) {
      expect([query, codesOf(await t.gql(query, variables, { token: tokenB }))]).toEqual([
        query,
        ['NOT_FOUND'],
      ]);
    }
    const ofB = await t.gql(`{ webhookEndpoints { id } }`, {}, { token: tokenB });
    expect(ofB.data).toEqual({ webhookEndpoints: [] });
    expect(await stateOfA()).toBe(before);
  });

  it("does not list another tenant's sessions", async () => {
    const list = `{ whatsappSessions(first: 100) { edges { node { ${SESSION_FIELDS} } } } }`;
    const ofB = await t.gql<{ whatsappSessions: { edges: unknown[] } }>(list, {}, { token: tokenB });
    expect(ofB.data!.whatsappSessions.edges).toEqual([]);
    const ofA = await t.gql<{ whatsappSessions: { edges: unknown[] } }>(list, {}, { token: tokenA });
    expect(ofA.data!.whatsappSessions.edges).toHaveLength(1);
  });

  it("keeps chats apart: B's session with the same chat id shows only B's messages, A's only A's", async () => {
    const sessionB = (
      await t.gql<{ createWhatsappSession: { id: string } }>(
        CREATE,
        { input: { displayName: 'B chats' } },
        { token: tokenB },
      )
    ).data!.createWhatsappSession;
    const upserted = await internalGql(t, UPSERT_MESSAGES, {
      input: { sessionId: sessionB.id, messages: [wahaMessage(CHAT_OF_A, 'B own')] },
    });
    expect(upserted.errors).toBeUndefined();
    const read = (token: string, sessionId: string) =>
      t.gql<{ messages: { edges: { node: { body: string } }[] } }>(
        `query($s: ID!, $c: ID!) { messages(sessionId: $s, chatId: $c) { edges { node { body } } } }`,
        { s: sessionId, c: CHAT_OF_A },
        { token },
      );
    expect((await read(tokenB, sessionB.id)).data!.messages.edges.map((e) => e.node.body)).toEqual(['B own']);
    expect((await read(tokenA, sessionA.id)).data!.messages.edges.map((e) => e.node.body)).toEqual([
      'A secret',
    ]);
    expect(codesOf(await read(tokenA, sessionB.id))).toEqual(['NOT_FOUND']);
    const chatsOfB = await t.gql<{ chats: { edges: { node: { lastMessage: { body: string } } }[] } }>(
      `query($s: ID!) { chats(sessionId: $s) { edges { node { id lastMessage { body } } } } }`,
      { s: sessionB.id },
      { token: tokenB },
    );
    expect(chatsOfB.data!.chats.edges.map((e) => e.node.lastMessage.body)).toEqual(['B own']);
  });

  it('lets B use the same display name as A: names are unique per tenant only', async () => {
    const result = await t.gql(CREATE, { input: { displayName: sessionA.displayName } }, { token: tokenB });
    expect(result.errors).toBeUndefined();
  });

  it('fails closed: a tenant-scoped read with no tenant set throws instead of returning rows', async () => {
    const em = t.app.get(MikroORM).em.fork();
    await expect(em.find(WhatsappSession, {})).rejects.toThrow(/tenant/);
    await expect(em.count(WhatsappSession, {})).rejects.toThrow(/tenant/);
    await expect(em.find(Chat, {})).rejects.toThrow(/tenant/);
    await expect(em.find(Message, {})).rejects.toThrow(/tenant/);
  });
});
