import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseGlobalId } from '../../src/common/global-ids.js';
import { codesOf, sql, startTestApp, type TestApp } from '../support/app.js';
import { CREATE } from '../whatsapp-sessions/sessions.fragments.js';
import { CREATE_KEY, createKey, LIST_KEYS, REVOKE_KEY, SESSIONS, VIEWER } from './api-keys.support.js';

/** The api_keys row behind an API key's id (`ak_…`). */
const rowKey = (id: string) => parseGlobalId(id)!.key;

/** Tenant API keys over HTTP: created once and shown once, hashed at rest, scoped, revocable. */
describe('tenant API keys over HTTP', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.token('keys-co', { userId: 'alice' });
  });
  afterAll(() => t.close());

  it('shows a new key once, with a scannable prefix, and keeps only its hash', async () => {
    const { secret, apiKey } = await createKey(t, admin, ['read', 'send']);
    expect(secret).toMatch(/^whk_[0-9A-Za-z]{49}$/);
    expect(apiKey).toEqual({
      id: expect.stringMatching(/^ak_[0-9a-z]{26}$/),
      name: 'key read+send',
      scopes: ['READ', 'SEND'],
      prefix: secret.slice(0, 12),
      expiresAt: null,
      lastUsedAt: null,
      createdAt: expect.any(String),
      createdBy: 'user:alice',
      revokedAt: null,
    });
    const rows = await sql<{ hash: string }>(t, `select * from api_keys where id = ?`, [rowKey(apiKey.id)]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.hash).toBe(createHash('sha256').update(secret).digest('hex'));
    // Not the key, nor its random part, anywhere in any row.
    const everything = JSON.stringify(await sql(t, `select * from api_keys`));
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(secret.slice(12));
    // Listed without the secret (the schema has no field for it).
    const listed = await t.gql<{ apiKeys: { id: string }[] }>(LIST_KEYS, {}, { token: admin });
    expect(listed.data!.apiKeys.map((key) => key.id)).toContain(apiKey.id);
    expect(JSON.stringify(listed)).not.toContain(secret.slice(12));
  });

  it('calls the API as the tenant, acting as apikey:<id> in audit columns, and records its last use', async () => {
    const { secret, apiKey } = await createKey(t, admin, ['read', 'sessions']);
    const viewer = await t.gql(VIEWER, {}, { token: secret });
    expect(viewer.data).toEqual({
      viewer: { userId: `apikey:${apiKey.id}`, roles: ['admin'], tenant: { slug: 'keys-co' } },
    });
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE,
      { input: { displayName: 'Made by a key' } },
      { token: secret },
    );
    expect(created.errors).toBeUndefined();
    const [session] = await sql<{ created_by: string }>(
      t,
      `select created_by from whatsapp_sessions where id = ?`,
      [created.data!.createWhatsappSession.id],
    );
    expect(session!.created_by).toBe(`user:apikey:${apiKey.id}`);
    const listed = await t.gql<{ whatsappSessions: { edges: { node: { displayName: string } }[] } }>(
      SESSIONS,
      {},
      { token: secret },
    );
    expect(listed.data!.whatsappSessions.edges.map((e) => e.node.displayName)).toContain('Made by a key');

    // Recorded once, not per request: a second use within the minute leaves it as it was.
    const [first] = await sql<{ last_used_at: string }>(t, `select last_used_at from api_keys where id = ?`, [
      rowKey(apiKey.id),
    ]);
    expect(first!.last_used_at).toEqual(expect.any(String));
    await t.gql(VIEWER, {}, { token: secret });
    const [second] = await sql<{ last_used_at: string }>(
      t,
      `select last_used_at from api_keys where id = ?`,
      [rowKey(apiKey.id)],
    );
    expect(second!.last_used_at).toEqual(first!.last_used_at);
  });

  it('refuses an operation outside the key’s scopes with INSUFFICIENT_SCOPE naming the scope', async () => {
    const { secret } = await createKey(t, admin, ['read']);
    const result = await t.gql(CREATE, { input: { displayName: 'Not allowed' } }, { token: secret });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'This operation needs an API key with the "sessions" scope; this key has: read',
        extensions: { code: 'INSUFFICIENT_SCOPE', details: { scope: 'sessions', keyScopes: ['read'] } },
      }),
    ]);
    const send = await t.gql(
      `mutation { sendWhatsappMessage(sessionId: "ws_x", to: "4917000000001@c.us", text: "hi") { id } }`,
      {},
      { token: secret },
    );
    expect(send.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'INSUFFICIENT_SCOPE' }) }),
    ]);
    expect(send.errors![0]!.message).toContain('"send"');
    const sendOnly = await createKey(t, admin, ['send']);
    expect(codesOf(await t.gql(SESSIONS, {}, { token: sendOnly.secret }))).toEqual(['INSUFFICIENT_SCOPE']);
    // viewer answers any key: it tells a key only who it is.
    expect(codesOf(await t.gql(VIEWER, {}, { token: sendOnly.secret }))).toEqual([]);
    const rows = await sql(t, `select 1 from whatsapp_sessions where display_name = 'Not allowed'`);
    expect(rows).toEqual([]);
  });

  it('lets no API key manage keys, whatever its scopes', async () => {
    const { secret, apiKey } = await createKey(t, admin, ['read', 'send', 'sessions', 'webhooks']);
    const message = "API keys are managed by a tenant admin with a user's token, not by an API key";
    const attempts = [
      await t.gql(CREATE_KEY, { input: { name: 'minted', scopes: ['READ'] } }, { token: secret }),
      await t.gql(LIST_KEYS, {}, { token: secret }),
      await t.gql(REVOKE_KEY, { id: apiKey.id }, { token: secret }),
    ];
    for (const result of attempts) {
      expect(result.errors).toEqual([
        expect.objectContaining({ message, extensions: { code: 'FORBIDDEN' } }),
      ]);
    }
    expect(await sql(t, `select 1 from api_keys where name = 'minted'`)).toEqual([]);
    expect(await sql(t, `select revoked_at from api_keys where id = ?`, [rowKey(apiKey.id)])).toEqual([
      { revoked_at: null },
    ]);
  });

  it('lets only admins manage keys', async () => {
    const member = await t.token('keys-co', { userId: 'bob', roles: ['member'] });
    const result = await t.gql(CREATE_KEY, { input: { name: 'x', scopes: ['READ'] } }, { token: member });
    expect(codesOf(result)).toEqual(['FORBIDDEN']);
    expect(codesOf(await t.gql(LIST_KEYS, {}, { token: member }))).toEqual(['FORBIDDEN']);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an empty name', { name: '', scopes: ['READ'] }, 'input.name'],
    ['a blank name', { name: '   ', scopes: ['READ'] }, 'input.name'],
    ['a name of 101 characters', { name: 'x'.repeat(101), scopes: ['READ'] }, 'input.name'],
    ['a NUL in the name', { name: 'a\u0000b', scopes: ['READ'] }, 'input.name'],
    ['no scope', { name: 'x', scopes: [] }, 'input.scopes'],
    [
      'an expiry in the past',
      { name: 'x', scopes: ['READ'], expiresAt: '2020-01-01T00:00:00.000Z' },
      'input.expiresAt',
    ],
  ])('refuses %s as BAD_USER_INPUT on the field, creating nothing', async (_what, input, field) => {
    const before = await sql(t, `select id from api_keys order by id`);
    const result = await t.gql(CREATE_KEY, { input }, { token: admin });
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field }) }),
    ]);
    expect(await sql(t, `select id from api_keys order by id`)).toEqual(before);
  });

  it('refuses an unknown scope as BAD_USER_INPUT', async () => {
    const result = await t.gql(CREATE_KEY, { input: { name: 'x', scopes: ['ADMIN'] } }, { token: admin });
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
  });

  it('refuses an expired key, an unknown key and a mistyped one', async () => {
    const { secret, apiKey } = await createKey(t, admin, ['read'], {
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(codesOf(await t.gql(SESSIONS, {}, { token: secret }))).toEqual([]);
    await sql(t, `update api_keys set expires_at = now() - interval '1 second' where id = ?`, [
      rowKey(apiKey.id),
    ]);
    const expired = await t.gql(SESSIONS, {}, { token: secret });
    expect(expired.errors).toEqual([
      expect.objectContaining({
        message: 'The API key has expired',
        extensions: { code: 'UNAUTHENTICATED' },
      }),
    ]);
    const other = await createKey(t, admin, ['read']);
    // Well formed (checksum included) but never issued: delete the row behind a real key.
    await sql(t, `delete from api_keys where id = ?`, [rowKey(other.apiKey.id)]);
    const mistyped = `${secret.slice(0, 20)}${secret[20] === 'a' ? 'b' : 'a'}${secret.slice(21)}`;
    for (const token of [other.secret, mistyped, 'whk_short']) {
      const result = await t.gql(SESSIONS, {}, { token });
      expect(result.errors).toEqual([
        expect.objectContaining({
          message: 'The API key is not valid',
          extensions: { code: 'UNAUTHENTICATED' },
        }),
      ]);
    }
  });

  it("keeps tenants apart: B neither lists nor revokes A's keys", async () => {
    const { secret, apiKey } = await createKey(t, admin, ['read']);
    const tenantB = await t.token('keys-other-co');
    const listed = await t.gql<{ apiKeys: unknown[] }>(LIST_KEYS, {}, { token: tenantB });
    expect(listed.data).toEqual({ apiKeys: [] });
    const revoked = await t.gql(REVOKE_KEY, { id: apiKey.id }, { token: tenantB });
    expect(codesOf(revoked)).toEqual(['NOT_FOUND']);
    expect(codesOf(await t.gql(SESSIONS, {}, { token: secret }))).toEqual([]);
    // And A's key sees A's sessions only.
    const ofB = await createKey(t, tenantB, ['read']);
    const viewer = await t.gql<{ viewer: { tenant: { slug: string } } }>(VIEWER, {}, { token: ofB.secret });
    expect(viewer.data!.viewer.tenant.slug).toBe('keys-other-co');
  });

  it('uploads a file over HTTP with a send key; a read key gets 403 INSUFFICIENT_SCOPE', async () => {
    const png = Buffer.concat([
      Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
      Buffer.alloc(64),
    ]);
    const upload = (key: string) =>
      fetch(`${t.url}/media`, {
        method: 'POST',
        headers: { 'content-type': 'image/png', authorization: `Bearer ${key}` },
        body: png,
      });
    const sender = await createKey(t, admin, ['send']);
    const sent = await upload(sender.secret);
    expect(sent.status).toBe(201);
    const reader = await createKey(t, admin, ['read']);
    const refused = await upload(reader.secret);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: { code: 'INSUFFICIENT_SCOPE', details: { scope: 'send' } },
    });
  });

  it('is limited per tenant like any caller', async () => {
    const limited = await startTestApp({ RATE_LIMIT_PER_MINUTE: '3' }, t.db);
    try {
      const token = await limited.token('keys-limited-co');
      const { secret } = await createKey(limited, token, ['read']);
      const codes: unknown[] = [];
      for (let i = 0; i < 4; i++) codes.push(...codesOf(await limited.gql(SESSIONS, {}, { token: secret })));
      expect(codes).toContain('RATE_LIMITED');
    } finally {
      await limited.close();
    }
  });
});
