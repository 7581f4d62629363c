import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codesOf, sql } from '../support/app.js';
import {
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
  webhooksSettled,
} from '../support/linked-session.js';
import { createKey } from '../auth/api-keys.support.js';

/**
 * Issue 14's GraphQL conventions, through the public API: every object a tenant sees has an id
 * that names it alone (so `node(id)` refetches it as its own query shows it), WAHA's ids stay on
 * their own fields, and the ids never open another tenant's objects or an object a caller's role
 * or key may not read.
 */
const NODE = `query($id: ID!) { node(id: $id) { __typename id
  ... on WhatsappSession { displayName status }
  ... on WhatsappChat { chatId sessionId unreadCount lastMessage { id body } }
  ... on WhatsappMessage { wahaId localId chatId body }
  ... on WhatsappMedia { state mimetype filename }
  ... on ApiKey { name scopes }
  ... on Tenant { slug }
  ... on WebhookEndpoint { url events }
  ... on WebhookDelivery { endpointId eventType deliveryStatus: status }
} }`;
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`;
const CHATS = `query($s: ID!) { chats(sessionId: $s) { edges { node { id chatId sessionId unreadCount lastMessage { id body } } } } }`;
const MESSAGES = `query($s: ID!, $c: ID!) { messages(sessionId: $s, chatId: $c) { edges { node { id wahaId localId chatId body } } } }`;
const VIEWER = `{ viewer { tenant { id slug } } }`;
const CREATE_ENDPOINT = `mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { endpoint { id url events } } }`;
const DELIVERIES = `query($e: ID!) { webhookDeliveries(endpointId: $e) { edges { node { id endpointId eventType status } } } }`;

interface Fields {
  id: string;
  [field: string]: unknown;
}
interface Node extends Fields {
  __typename: string;
}

describe('Node ids: node(id), nodes(ids) and the ids every object shows', () => {
  let f: LinkedSessionFixture;
  let a: LinkedSession;
  let b: LinkedSession;
  /** One object of each kind, of tenant A, as A's own queries show it. */
  const shown: Record<string, Node> = {};

  const node = async (id: string, token: string) => {
    const result = await f.t.gql<{ node: Node | null }>(NODE, { id }, { token });
    return result;
  };

  beforeAll(async () => {
    f = await startLinkedSession({
      tenant: 'node-a',
      env: { TENANT_WEBHOOKS_ALLOWED_PRIVATE_TARGETS: '127.0.0.1' },
    });
    a = f.session;
    b = await f.link('node-b');
    const { t, sim } = f;

    // A received message (and its chat), a webhook endpoint it was delivered to, an upload, a key.
    const endpoint = await t.gql<{ createWebhookEndpoint: { endpoint: Fields } }>(
      CREATE_ENDPOINT,
      { input: { url: 'http://127.0.0.1:9/hook', events: ['MESSAGE_RECEIVED'] } },
      { token: a.token },
    );
    expect(endpoint.errors).toBeUndefined();
    shown.WebhookEndpoint = {
      __typename: 'WebhookEndpoint',
      ...endpoint.data!.createWebhookEndpoint.endpoint,
    };
    sim.inbound(a.id, { from: '4917000000901@c.us', body: 'Hello A' });
    await webhooksSettled(sim, a.id);

    const chats = await t.gql<{ chats: { edges: { node: Fields }[] } }>(
      CHATS,
      { s: a.id },
      { token: a.token },
    );
    shown.WhatsappChat = { __typename: 'WhatsappChat', ...chats.data!.chats.edges[0]!.node };
    const messages = await t.gql<{ messages: { edges: { node: Fields }[] } }>(
      MESSAGES,
      { s: a.id, c: '4917000000901@c.us' },
      { token: a.token },
    );
    shown.WhatsappMessage = { __typename: 'WhatsappMessage', ...messages.data!.messages.edges[0]!.node };
    const deliveries = await t.gql<{ webhookDeliveries: { edges: { node: Fields }[] } }>(
      DELIVERIES,
      { e: shown.WebhookEndpoint.id },
      { token: a.token },
    );
    const { status: deliveryStatus, ...delivery } = deliveries.data!.webhookDeliveries.edges[0]!.node;
    shown.WebhookDelivery = { __typename: 'WebhookDelivery', ...delivery, deliveryStatus };

    const uploaded = await fetch(`${t.url}/media?filename=a.txt&sessionId=${a.id}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'text/plain' },
      body: 'some bytes',
    });
    expect(uploaded.status).toBe(201);
    const media = (await uploaded.json()) as { id: string };
    shown.WhatsappMedia = {
      __typename: 'WhatsappMedia',
      id: media.id,
      state: 'READY',
      mimetype: 'text/plain',
      filename: 'a.txt',
    };

    const key = await createKey(t, a.token, ['read']);
    shown.ApiKey = { __typename: 'ApiKey', id: key.apiKey.id, name: key.apiKey.name, scopes: ['READ'] };
    const viewer = await t.gql<{ viewer: { tenant: Fields } }>(VIEWER, {}, { token: a.token });
    shown.Tenant = { __typename: 'Tenant', ...viewer.data!.viewer.tenant };
    shown.WhatsappSession = { __typename: 'WhatsappSession', id: a.id };
  });
  afterAll(async () => {
    await f?.close();
  });

  it('shows our ids on objects and WAHA’s on their own fields', () => {
    const chat = shown.WhatsappChat!;
    const message = shown.WhatsappMessage!;
    expect(chat.id).toMatch(/^wc_[0-9a-z]{26}$/);
    expect(chat.chatId).toBe('4917000000901@c.us');
    expect(message.id).toMatch(/^wm_[0-9a-z]{26}$/);
    expect(message.localId).toBe(message.id);
    expect(message.wahaId).toMatch(/^false_4917000000901@c\.us_/);
    expect(chat.lastMessage).toEqual({ id: message.id, body: 'Hello A' });
    expect(shown.WhatsappMedia!.id).toMatch(/^wf_/);
    expect(shown.ApiKey!.id).toMatch(/^ak_/);
    expect(shown.Tenant!.id).toMatch(/^tn_/);
    expect(shown.WebhookEndpoint!.id).toMatch(/^we_/);
    expect(shown.WebhookDelivery).toMatchObject({
      id: expect.stringMatching(/^wd_/),
      endpointId: shown.WebhookEndpoint!.id,
    });
    // Distinct everywhere: no two objects of any kind share an id.
    const ids = Object.values(shown).map((n) => n.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has every object type with an `id` implement Node: a cache may trust any `id` it sees', async () => {
    const result = await f.t.gql<{
      __schema: {
        types: {
          name: string;
          kind: string;
          fields: { name: string }[] | null;
          interfaces: { name: string }[] | null;
        }[];
      };
    }>(`{ __schema { types { name kind fields { name } interfaces { name } } } }`, {}, { token: a.token });
    const objects = result.data!.__schema.types.filter(
      (type) => type.kind === 'OBJECT' && !type.name.startsWith('__'),
    );
    const withId = objects.filter((type) => type.fields!.some((field) => field.name === 'id'));
    const notNodes = withId
      .filter((type) => !type.interfaces!.some((i) => i.name === 'Node'))
      .map((type) => type.name);
    expect(notNodes).toEqual([]);
    expect(withId.map((type) => type.name).sort()).toEqual([
      'ApiKey',
      'Tenant',
      'WebhookDelivery',
      'WebhookEndpoint',
      'WhatsappChat',
      'WhatsappMedia',
      'WhatsappMessage',
      'WhatsappSession',
    ]);
  });

  it('refetches every kind with node(id) as its own query showed it', async () => {
    for (const [type, expected] of Object.entries(shown)) {
      const result = await node(expected.id, a.token);
      expect({ type, errors: result.errors }).toEqual({ type, errors: undefined });
      expect(result.data!.node).toMatchObject(expected);
    }
  });

  it('answers nodes(ids) in the order asked, null for an unknown id', async () => {
    const unknown = 'wc_01jzzzzzzzzzzzzzzzzzzzzzzz';
    const ids = [shown.WhatsappMessage!.id, unknown, a.id, shown.WhatsappChat!.id];
    const result = await f.t.gql<{ nodes: (Node | null)[] }>(NODES, { ids }, { token: a.token });
    expect(result.errors).toBeUndefined();
    expect(result.data!.nodes.map((n) => n?.id ?? null)).toEqual([ids[0], null, ids[2], ids[3]]);
    const tooMany = await f.t.gql(NODES, { ids: Array(101).fill(a.id) }, { token: a.token });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids' });
  });

  it('gives tenant B null for every one of A’s ids, exactly as for an id that does not exist', async () => {
    for (const expected of Object.values(shown)) {
      const result = await node(expected.id, b.token);
      expect({ id: expected.id, result: result.data?.node, errors: result.errors }).toEqual({
        id: expected.id,
        result: null,
        errors: undefined,
      });
    }
  });

  it('refuses what is not an id of this API as BAD_USER_INPUT, and an id of the wrong kind where one kind is taken', async () => {
    for (const id of ['4917000000901@c.us', 'wc_notaulid', 'zz_01jzzzzzzzzzzzzzzzzzzzzzzz', '']) {
      expect((await node(id, a.token)).errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'id',
      });
    }
    const revoke = await f.t.gql(
      `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`,
      { id: shown.WhatsappChat!.id },
      { token: a.token },
    );
    expect(revoke.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'id',
      details: { expected: 'ApiKey' },
    });
    const send = await f.t.gql(
      `mutation($s: ID!, $m: ID) { sendWhatsappMessage(sessionId: $s, to: "+4917000000901", text: "x", mediaId: $m) { id } }`,
      { s: a.id, m: shown.WhatsappMessage!.id },
      { token: a.token },
    );
    expect(send.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'mediaId' });
  });

  it('opens a chat by our id or WAHA’s wherever a chat is named, and only in its own session', async () => {
    const byOurs = await f.t.gql<{ messages: { edges: { node: Node }[] } }>(
      MESSAGES,
      { s: a.id, c: shown.WhatsappChat!.id },
      { token: a.token },
    );
    expect(byOurs.data!.messages.edges.map((e) => e.node.id)).toEqual([shown.WhatsappMessage!.id]);
    // B's session with A's chat id: not found, as for any chat B does not have.
    const crossed = await f.t.gql(MESSAGES, { s: b.id, c: shown.WhatsappChat!.id }, { token: b.token });
    expect(codesOf(crossed)).toEqual(['NOT_FOUND']);
  });

  it('keeps node(id) to what the caller may read: roles and API key scopes as the lists have them', async () => {
    const member = await f.t.token('node-a', { userId: 'member', roles: ['member'] });
    expect(codesOf(await node(shown.WebhookEndpoint!.id, member))).toEqual(['FORBIDDEN']);
    expect((await node(shown.WhatsappChat!.id, member)).data!.node).toMatchObject({
      id: shown.WhatsappChat!.id,
    });

    const reader = await createKey(f.t, a.token, ['read']);
    expect((await node(shown.WhatsappMessage!.id, reader.secret)).data!.node).toMatchObject({
      id: shown.WhatsappMessage!.id,
    });
    expect(codesOf(await node(shown.WebhookDelivery!.id, reader.secret))).toEqual(['INSUFFICIENT_SCOPE']);
    expect(codesOf(await node(shown.ApiKey!.id, reader.secret))).toEqual(['FORBIDDEN']);
    const sender = await createKey(f.t, a.token, ['send']);
    expect(codesOf(await node(shown.WhatsappChat!.id, sender.secret))).toEqual(['INSUFFICIENT_SCOPE']);
    // The tenant is any key's to see (as viewer is).
    expect((await node(shown.Tenant!.id, sender.secret)).data!.node).toMatchObject({ slug: 'node-a' });
  });

  it('answers null for a chat or message of a deleted session, as no list shows them either', async () => {
    const [{ count }] = (await sql<{ count: number }>(
      f.t,
      `select count(*)::int as count from chats where session_id = ?`,
      [a.id],
    )) as [{ count: number }];
    expect(count).toBe(1);
    const deleted = await f.t.gql(
      `mutation($id: ID!) { deleteWhatsappSession(id: $id) { id } }`,
      { id: a.id },
      { token: a.token },
    );
    expect(deleted.errors).toBeUndefined();
    for (const type of ['WhatsappSession', 'WhatsappChat', 'WhatsappMessage']) {
      const result = await node(shown[type]!.id, a.token);
      expect({ type, node: result.data?.node }).toEqual({ type, node: null });
    }
  });
});
