import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import {
  BAD_PAGE_ARGS,
  expectPagesCover,
  type PageArgs,
  type RelayPage,
  walkBackward,
  walkForward,
} from '../support/relay-pages.js';
import { CREATE_SESSION } from '../support/linked-session.js';
import { LIST } from './sessions.fragments.js';

type Node = { id: string; displayName: string; status: string };

/** whatsappSessions as a Relay connection: newest first, both ways, with its status filter. */
describe('whatsappSessions: Relay cursor connection', () => {
  let t: TestApp;
  let token: string;
  /** The tenant's sessions in creation order. */
  const created: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('relay-sessions');
    for (let i = 0; i < 8; i += 1) {
      const result = await t.gql<{ createWhatsappSession: { id: string } }>(
        CREATE_SESSION,
        { input: { displayName: `R${i}` } },
        { token },
      );
      if (!result.data) throw new Error(JSON.stringify(result.errors));
      created.push(result.data.createWhatsappSession.id);
    }
    // Every other one linked, for the filter.
    for (const id of created.filter((_, i) => i % 2 === 1)) {
      const linked = await internalGql(
        t,
        `mutation($id: ID!) { reportSessionStatus(input: { sessionId: $id, status: WORKING, me: { id: "4915100000401@c.us" } }) { status } }`,
        { id },
      );
      expect(linked.errors).toBeUndefined();
    }
  });
  afterAll(() => t.close());

  const list =
    (filter?: Record<string, unknown>, as = () => token) =>
    async (args: PageArgs): Promise<RelayPage<Node>> => {
      const result = await t.gql<{ whatsappSessions: RelayPage<Node> }>(
        LIST,
        { ...args, filter },
        { token: as() },
      );
      if (!result.data) throw new Error(JSON.stringify(result.errors));
      return result.data.whatsappSessions;
    };
  const id = (node: Node) => node.id;

  it('pages newest first both ways, without gaps or repeats, and narrows between two cursors', async () => {
    await expectPagesCover(list(), [...created].reverse(), id);
  });

  it('pages the filtered list the same way', async () => {
    const working = created.filter((_, i) => i % 2 === 1).reverse();
    for (const size of [1, 3]) {
      expect(await walkForward(list({ status: ['WORKING'] }), size, id)).toEqual(working);
      expect(await walkBackward(list({ status: ['WORKING'] }), size, id)).toEqual(working);
    }
    const creating = await list({ status: ['CREATING'] })({ last: 2 });
    expect(creating.edges.map((e) => e.node.id)).toEqual([created[2], created[0]]);
    expect(creating.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('pages newer ones with last/before from a cursor, older ones with first/after', async () => {
    const all = await list()({ first: 100 });
    const middle = all.edges[3]!.cursor;
    expect((await list()({ last: 2, before: middle })).edges.map((e) => e.node.id)).toEqual(
      [...created].reverse().slice(1, 3),
    );
    expect((await list()({ first: 2, after: middle })).edges.map((e) => e.node.id)).toEqual(
      [...created].reverse().slice(4, 6),
    );
  });

  it.each(BAD_PAGE_ARGS)(
    'refuses %s: BAD_USER_INPUT on the argument',
    async (_name, args, field, message) => {
      const result = await t.gql(LIST, { ...args }, { token });
      expect(result.errors).toEqual([
        expect.objectContaining({ message, extensions: { code: 'BAD_USER_INPUT', field } }),
      ]);
    },
  );

  it("shows tenant B none of tenant A's sessions, whichever cursor of A's it pages from", async () => {
    const other = await t.token('relay-sessions-b');
    const all = await list()({ first: 100 });
    const asB = list(undefined, () => other);
    for (const args of [
      { first: 100 },
      { last: 100 },
      { first: 2, after: all.edges[2]!.cursor },
      { last: 2, before: all.edges[2]!.cursor },
    ]) {
      expect((await asB(args)).edges).toEqual([]);
    }
  });
});
