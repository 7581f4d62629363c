import { expect } from '@jest/globals';

/**
 * Walking a Relay connection of the public API both ways, for the pagination specs of every
 * list: each page's PageInfo is checked as its field descriptions promise on the way.
 */

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface RelayPage<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}

export interface PageArgs {
  first?: number;
  after?: string | null;
  last?: number;
  before?: string | null;
}

/** One call of the list with these page arguments (the list's own arguments bound). */
export type FetchPage<T> = (args: PageArgs) => Promise<RelayPage<T>>;

/** The cursors PageInfo names are those of its first and last edge (none for an empty page). */
export function expectEndCursors<T>(page: RelayPage<T>): void {
  expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
  expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
}

/** Every item from the start, `size` at a time with `first`/`after`: what `key` says of each, in list order. */
export async function walkForward<T>(fetch: FetchPage<T>, size: number, key: (node: T) => string) {
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await fetch({ first: size, after });
    expectEndCursors(page);
    // Paging forward, a previous page is only known to exist because `after` was given.
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    seen.push(...page.edges.map((edge) => key(edge.node)));
    if (!page.pageInfo.hasNextPage) return seen;
    expect(page.edges).toHaveLength(size);
    after = page.pageInfo.endCursor;
  }
}

/** Every item from the end, `size` at a time with `last`/`before`: what `key` says of each, in list order. */
export async function walkBackward<T>(fetch: FetchPage<T>, size: number, key: (node: T) => string) {
  const seen: string[] = [];
  let before: string | null = null;
  for (;;) {
    const page = await fetch({ last: size, before });
    expectEndCursors(page);
    expect(page.pageInfo.hasNextPage).toBe(before !== null);
    seen.unshift(...page.edges.map((edge) => key(edge.node)));
    if (!page.pageInfo.hasPreviousPage) return seen;
    expect(page.edges).toHaveLength(size);
    before = page.pageInfo.startCursor;
  }
}

/**
 * `after` and `before` together narrow the list to what lies between them, whichever way it is
 * paged; `all` is the whole list in one page (its cursors and `key`s). Checks both directions.
 */
export async function expectNarrowing<T>(
  fetch: FetchPage<T>,
  all: RelayPage<T>,
  key: (node: T) => string,
): Promise<void> {
  const keys = all.edges.map((edge) => key(edge.node));
  expect(keys.length).toBeGreaterThanOrEqual(6);
  const after = all.edges[1]!.cursor;
  const before = all.edges[5]!.cursor;
  const between = keys.slice(2, 5);

  const forward = await fetch({ first: 10, after, before });
  expect(forward.edges.map((edge) => key(edge.node))).toEqual(between);
  expect(forward.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
  const forwardTwo = await fetch({ first: 2, after, before });
  expect(forwardTwo.edges.map((edge) => key(edge.node))).toEqual(between.slice(0, 2));
  expect(forwardTwo.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });

  const backward = await fetch({ last: 10, after, before });
  expect(backward.edges.map((edge) => key(edge.node))).toEqual(between);
  expect(backward.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  const backwardTwo = await fetch({ last: 2, after, before });
  expect(backwardTwo.edges.map((edge) => key(edge.node))).toEqual(between.slice(1));
  expect(backwardTwo.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });

  // Cursors that leave nothing between them: an empty page without cursors.
  const none = await fetch({ first: 10, after: before, before: after });
  expect(none.edges).toEqual([]);
  expect(none.pageInfo).toEqual({
    hasNextPage: false,
    hasPreviousPage: true,
    startCursor: null,
    endCursor: null,
  });
}

/**
 * The whole list walked forward and backward at several page sizes, each equal to `expected`
 * (list order, no gaps, no repeats), and narrowed between two of its cursors.
 */
export async function expectPagesCover<T>(
  fetch: FetchPage<T>,
  expected: string[],
  key: (node: T) => string,
  sizes: number[] = [1, 2, 3, expected.length, expected.length + 1],
): Promise<void> {
  const all = await fetch({ first: 100 });
  expect(all.edges.map((edge) => key(edge.node))).toEqual(expected);
  expect(all.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  const fromEnd = await fetch({ last: 100 });
  expect(fromEnd.edges).toEqual(all.edges);
  expect(fromEnd.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  for (const size of sizes) {
    expect([size, await walkForward(fetch, size, key)]).toEqual([size, expected]);
    expect([size, await walkBackward(fetch, size, key)]).toEqual([size, expected]);
  }
  await expectNarrowing(fetch, all, key);
}

/** Page arguments every connection refuses, each BAD_USER_INPUT on the field named. */
export const BAD_PAGE_ARGS: [string, PageArgs, string, string][] = [
  [
    'first and last together',
    { first: 2, last: 2 },
    'last',
    'Pass first or last, not both: page one way at a time',
  ],
  ['first 0', { first: 0 }, 'first', 'first must be from 1 to 100'],
  ['first 101', { first: 101 }, 'first', 'first must be from 1 to 100'],
  ['last 0', { last: 0 }, 'last', 'last must be from 1 to 100'],
  ['last 101', { last: 101 }, 'last', 'last must be from 1 to 100'],
  ['last -1', { last: -1 }, 'last', 'last must be from 1 to 100'],
  ['a junk before', { last: 2, before: 'junk' }, 'before', 'before is not a cursor this API returned'],
  [
    'a junk after paging backward',
    { last: 2, after: 'junk' },
    'after',
    'after is not a cursor this API returned',
  ],
  [
    'a junk before paging forward',
    { first: 2, before: 'junk' },
    'before',
    'before is not a cursor this API returned',
  ],
];
