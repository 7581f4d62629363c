import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { buildClientSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { OutboxCommand } from '../../src/n8n/outbox-command.entity.js';
import { WhatsappSession } from '../../src/whatsapp-sessions/whatsapp-session.entity.js';
import { codesOf, startTestApp, type TestApp } from '../support/app.js';
import { CREATE, SESSION_FIELDS } from '../whatsapp-sessions/sessions.fragments.js';

/**
 * Tenant B, with a valid token of its own, aims every session operation at tenant A's
 * session: each is NOT_FOUND (not FORBIDDEN: B must not learn that the id exists) and A's
 * row is byte-for-byte unchanged.
 */
const ATTACKS: Record<string, { query: string; variables: (id: string) => Record<string, unknown> }> = {
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
};

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
  });
  afterAll(() => t.close());

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
        .filter((field) => field.args.some((arg) => arg.name === 'id' || arg.name === 'sessionId'))
        .map((field) => `${root.name}.${field.name}`),
    );
    expect(byId.sort()).toEqual(Object.keys(ATTACKS).sort());
  });

  it.each(Object.entries(ATTACKS))(
    "%s on another tenant's session is NOT_FOUND and changes nothing",
    async (_name, attack) => {
      const before = JSON.stringify(await rowOfA());
      const commandsBefore = await commandsOfA();
      const result = await t.gql(attack.query, attack.variables(sessionA.id), { token: tokenB });
      expect(codesOf(result)).toEqual(['NOT_FOUND']);
      expect(JSON.stringify(await rowOfA())).toBe(before);
      expect(await commandsOfA()).toBe(commandsBefore);
    },
  );

  it("does not list another tenant's sessions", async () => {
    const list = `{ whatsappSessions(first: 100) { edges { node { ${SESSION_FIELDS} } } } }`;
    const ofB = await t.gql<{ whatsappSessions: { edges: unknown[] } }>(list, {}, { token: tokenB });
    expect(ofB.data!.whatsappSessions.edges).toEqual([]);
    const ofA = await t.gql<{ whatsappSessions: { edges: unknown[] } }>(list, {}, { token: tokenA });
    expect(ofA.data!.whatsappSessions.edges).toHaveLength(1);
  });

  it('lets B use the same display name as A: names are unique per tenant only', async () => {
    const result = await t.gql(CREATE, { input: { displayName: sessionA.displayName } }, { token: tokenB });
    expect(result.errors).toBeUndefined();
  });

  it('fails closed: a tenant-scoped read with no tenant set throws instead of returning rows', async () => {
    const em = t.app.get(MikroORM).em.fork();
    await expect(em.find(WhatsappSession, {})).rejects.toThrow(/tenant/);
    await expect(em.count(WhatsappSession, {})).rejects.toThrow(/tenant/);
  });
});
