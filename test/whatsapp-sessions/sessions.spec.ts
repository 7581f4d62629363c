import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codesOf, startTestApp, type TestApp } from '../support/app.js';
import { CREATE, DELETE, GET, LIST, RENAME, type SessionResult, UPDATE } from './sessions.fragments.js';

type Created = { createWhatsappSession: SessionResult };

describe('WhatsappSession records over GraphQL', () => {
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('acme', { userId: 'alice' });
  });
  afterAll(() => t.close());

  async function create(input: Record<string, unknown>, as = token) {
    return t.gql<Created>(CREATE, { input }, { token: as });
  }

  it('creates a QR session as CREATING, with a WAHA-legal id and audit fields from the token', async () => {
    const before = new Date();
    const result = await create({ displayName: '  Sales line ' });
    expect(result.errors).toBeUndefined();
    const session = result.data!.createWhatsappSession;
    expect(session).toMatchObject({
      displayName: 'Sales line',
      authMethod: 'QR',
      phoneNumber: null,
      status: 'CREATING',
      createdBy: 'user:alice',
      updatedBy: 'user:alice',
    });
    expect(session.id).toMatch(/^[a-zA-Z0-9_-]{1,54}$/);
    // Stamped by the server while the request ran (PostgreSQL and this process share the clock).
    expect(Date.parse(session.createdAt)).toBeGreaterThanOrEqual(before.getTime() - 1);
    expect(Date.parse(session.createdAt)).toBeLessThanOrEqual(Date.now());

    const read = await t.gql<{ whatsappSession: SessionResult }>(GET, { id: session.id }, { token });
    expect(read.data!.whatsappSession).toEqual(session);
  });

  it('stores a pairing phone number as digits with country code', async () => {
    const result = await create({
      displayName: 'Support',
      authMethod: 'PHONE_CODE',
      phoneNumber: '+49 (151) 234-56789',
    });
    expect(result.data!.createWhatsappSession).toMatchObject({
      authMethod: 'PHONE_CODE',
      phoneNumber: '4915123456789',
    });
  });

  it.each([
    [{ displayName: '' }, 'input.displayName', 'A display name is 1 to 100 characters'],
    [{ displayName: 'x'.repeat(101) }, 'input.displayName', 'A display name is 1 to 100 characters'],
    [
      { displayName: 'bad\u0007name' },
      'input.displayName',
      'A display name cannot contain control characters',
    ],
    [
      { displayName: 'p1', authMethod: 'PHONE_CODE' },
      'input.phoneNumber',
      'Pairing by phone code needs the phone number',
    ],
    [
      { displayName: 'p2', phoneNumber: '0151 2345678' },
      'input.phoneNumber',
      'A phone number needs its country code (e.g. +49…)',
    ],
    [
      { displayName: 'p3', phoneNumber: '+49 151 abc' },
      'input.phoneNumber',
      'A phone number has only digits, spaces, dashes, dots, brackets and a leading +',
    ],
    [
      { displayName: 'p4', phoneNumber: '+1234567' },
      'input.phoneNumber',
      'A phone number with country code has 8 to 15 digits',
    ],
    [
      { displayName: 'p5', phoneNumber: '+1234567890123456' },
      'input.phoneNumber',
      'A phone number with country code has 8 to 15 digits',
    ],
    [
      { displayName: 'p6', idempotencyKey: 'has space' },
      'input.idempotencyKey',
      'An idempotency key is 1 to 100 letters, digits, _ . : or -',
    ],
  ])('refuses %j with BAD_USER_INPUT on %s and stores nothing', async (input, field, message) => {
    const before = await t.gql<{ whatsappSessions: { edges: unknown[] } }>(LIST, { first: 100 }, { token });
    const result = await create(input);
    expect(result.data).toBeNull();
    expect(result.errors).toEqual([
      {
        message,
        path: ['createWhatsappSession'],
        locations: expect.any(Array),
        extensions: { code: 'BAD_USER_INPUT', field },
      },
    ]);
    const after = await t.gql<{ whatsappSessions: { edges: unknown[] } }>(LIST, { first: 100 }, { token });
    expect(after.data!.whatsappSessions.edges).toHaveLength(before.data!.whatsappSessions.edges.length);
  });

  it('refuses an unknown auth method at the GraphQL layer', async () => {
    const result = await create({ displayName: 'x', authMethod: 'SMS' });
    expect(codesOf(result)).toEqual(['BAD_USER_INPUT']);
  });

  it('answers CONFLICT on a duplicate name, ignoring case, and changes nothing', async () => {
    await create({ displayName: 'Duplicate me' });
    const second = await create({ displayName: 'DUPLICATE ME' });
    expect(second.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'CONFLICT', field: 'input.displayName' } }),
    ]);
    const list = await t.gql<{ whatsappSessions: { edges: { node: { displayName: string } }[] } }>(
      LIST,
      { first: 100 },
      { token },
    );
    expect(
      list.data!.whatsappSessions.edges.filter((e) => e.node.displayName.toLowerCase() === 'duplicate me'),
    ).toHaveLength(1);
  });

  it('lets two concurrent creates of one name produce one session and one CONFLICT', async () => {
    const results = await Promise.all([create({ displayName: 'Race' }), create({ displayName: 'Race' })]);
    expect(results.map((r) => (r.errors ? codesOf(r)[0] : 'OK')).sort()).toEqual(['CONFLICT', 'OK']);
  });

  it('returns the same session for a retried create with the same idempotency key', async () => {
    const input = { displayName: 'Retried', idempotencyKey: 'req-123' };
    const first = await create(input);
    const retry = await create(input);
    expect(retry.data!.createWhatsappSession.id).toBe(first.data!.createWhatsappSession.id);
    const reused = await create({ displayName: 'Something else', idempotencyKey: 'req-123' });
    expect(reused.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'CONFLICT', field: 'input.idempotencyKey' } }),
    ]);
  });

  it('renames and updates, stamping updatedBy with the acting user', async () => {
    const bob = await t.token('acme', { userId: 'bob', roles: ['member'] });
    const { id } = (await create({ displayName: 'Old name' })).data!.createWhatsappSession;
    const renamed = await t.gql<{ renameWhatsappSession: SessionResult }>(
      RENAME,
      { id, displayName: 'New name' },
      { token: bob },
    );
    expect(renamed.data!.renameWhatsappSession).toMatchObject({
      displayName: 'New name',
      createdBy: 'user:alice',
      updatedBy: 'user:bob',
    });

    const updated = await t.gql<{ updateWhatsappSession: SessionResult }>(
      UPDATE,
      { id, input: { phoneNumber: '+44 7700 900123' } },
      { token },
    );
    expect(updated.data!.updateWhatsappSession).toMatchObject({
      displayName: 'New name',
      phoneNumber: '447700900123',
    });

    // The field is rename's own argument, so a form can put the error next to its input.
    const clash = await t.gql(RENAME, { id, displayName: 'Sales line' }, { token });
    expect(clash.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'CONFLICT', field: 'displayName' } }),
    ]);
    const bad = await t.gql(RENAME, { id, displayName: ' ' }, { token });
    expect(bad.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'displayName' } }),
    ]);
    const after = await t.gql<{ whatsappSession: SessionResult }>(GET, { id }, { token });
    expect(after.data!.whatsappSession.displayName).toBe('New name');
  });

  it('deletes: the session disappears, its name is free again, a second delete is NOT_FOUND', async () => {
    const { id } = (await create({ displayName: 'Short-lived' })).data!.createWhatsappSession;
    const deleted = await t.gql<{ deleteWhatsappSession: { id: string; status: string } }>(
      DELETE,
      { id },
      { token },
    );
    expect(deleted.data!.deleteWhatsappSession).toEqual({ id, status: 'DELETING' });
    expect(codesOf(await t.gql(GET, { id }, { token }))).toEqual(['NOT_FOUND']);
    expect(codesOf(await t.gql(DELETE, { id }, { token }))).toEqual(['NOT_FOUND']);
    expect((await create({ displayName: 'Short-lived' })).errors).toBeUndefined();
  });

  it('answers NOT_FOUND for an id that never existed', async () => {
    const result = await t.gql(GET, { id: 'ws_nope' }, { token });
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'WhatsApp session "ws_nope" was not found',
        extensions: { code: 'NOT_FOUND' },
      }),
    ]);
  });

  it('pages newest first with stable cursors, and filters by status', async () => {
    const pager = await t.token('pager-co');
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push((await create({ displayName: `S${i}` }, pager)).data!.createWhatsappSession.id);
    type List = {
      whatsappSessions: {
        edges: { cursor: string; node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: { data?: List | null } = await t.gql<List>(LIST, { first: 2, after }, { token: pager });
      seen.push(...page.data!.whatsappSessions.edges.map((e) => e.node.id));
      after = page.data!.whatsappSessions.pageInfo.hasNextPage
        ? page.data!.whatsappSessions.pageInfo.endCursor
        : null;
      pages += 1;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());

    const creating = await t.gql<List>(LIST, { filter: { status: ['CREATING'] } }, { token: pager });
    expect(creating.data!.whatsappSessions.edges).toHaveLength(5);
    const working = await t.gql<List>(LIST, { filter: { status: ['WORKING'] } }, { token: pager });
    expect(working.data!.whatsappSessions.edges).toHaveLength(0);
  });

  it.each([
    [{ first: 0 }, 'first'],
    [{ first: 101 }, 'first'],
    [{ last: 0 }, 'last'],
    [{ last: 101 }, 'last'],
    [{ first: 2, last: 2 }, 'last'],
    [{ after: 'not-a-cursor' }, 'after'],
    [{ last: 2, before: 'not-a-cursor' }, 'before'],
  ])('refuses page arguments %j with BAD_USER_INPUT on %s', async (args, field) => {
    const result = await t.gql(LIST, args, { token });
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field } }),
    ]);
  });
});
