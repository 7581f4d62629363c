import { type Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { DomainError } from './domain-error.js';
import { inPublicSchema, type SchemaMarker } from './graphql-schemas.js';
import { isCleanId } from './storable.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType('PageInfo', {
  ...inPublicSchema,
  description:
    'Where the page sits in the list (Relay cursor connections). A flag is only sure in the direction paged: see each.',
})
export class PageInfo {
  @Field({
    description:
      'Paging forward (`first`): more items follow this page. Paging backward (`last`): true when `before` was given (items follow it), without counting them.',
  })
  hasNextPage!: boolean;

  @Field({
    description:
      'Paging backward (`last`): more items come before this page. Paging forward (`first`): true when `after` was given (items precede it), without counting them.',
  })
  hasPreviousPage!: boolean;

  @Field(() => String, {
    nullable: true,
    description:
      "The first edge's cursor (null when the page is empty): pass it as `before`, with `last`, for the items before this page.",
  })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The last edge's cursor (null when the page is empty): pass it as `after`, with `first`, for the items after this page.",
  })
  endCursor!: string | null;
}

/**
 * Relay's paging arguments. `first`/`after` page forward in list order, `last`/`before` backward;
 * edges always come in list order. `after` and `before` together narrow the range.
 */
@ArgsType(inPublicSchema)
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page forward: at most this many items after \`after\` (from the start without it), 1 to ${MAX_PAGE_SIZE}. ${DEFAULT_PAGE_SIZE} when neither first nor last is given; not with last.`,
  })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Only items after this cursor in list order: pageInfo.endCursor or any edge's cursor.",
  })
  after?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: `Page backward: at most this many items before \`before\` (up to the end without it), 1 to ${MAX_PAGE_SIZE}; not with first.`,
  })
  last?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Only items before this cursor in list order: pageInfo.startCursor or any edge's cursor.",
  })
  before?: string | null;
}

export type PageDirection = 'forward' | 'backward';

/**
 * What a page asks for, judged: which way it pages, how many rows, and the sort keys of its
 * cursors. A query builder turns it into the keyset comparison and ORDER BY (reversed paging
 * backward), fetching `limit + 1` rows to learn whether more lie beyond.
 */
export interface PageWindow<K> {
  direction: PageDirection;
  limit: number;
  after: K | null;
  before: K | null;
}

/**
 * The page arguments judged, or BAD_USER_INPUT on the argument at fault. `decode` reads a cursor
 * into the query's sort key (throwing `invalidCursor(field)` for one this API did not return).
 */
export function pageWindow<K>(
  args: PageArgs,
  decode: (cursor: string, field: 'after' | 'before') => K,
): PageWindow<K> {
  const { first, last } = args;
  const given = (n: number | null | undefined) => n !== null && n !== undefined;
  // Relay strongly discourages both (slicing the first n, then the last m of those, is rarely what a client means).
  if (given(first) && given(last)) {
    throw DomainError.badInput('last', 'Pass first or last, not both: page one way at a time');
  }
  const backward = given(last);
  return {
    direction: backward ? 'backward' : 'forward',
    limit: backward ? pageSize(last, 'last') : pageSize(first, 'first'),
    after: args.after === null || args.after === undefined ? null : decode(args.after, 'after'),
    before: args.before === null || args.before === undefined ? null : decode(args.before, 'before'),
  };
}

/** The sort key a cursor carries: what `decodeCursor` reads back. */
export type CursorKey = readonly (string | number)[];

/** A page as a service found it, in list order, with what PageInfo needs to know about its ends. */
export interface Page<T> {
  items: T[];
  /** Each item's sort key, in the same order as `items`. */
  keys: CursorKey[];
  direction: PageDirection;
  /** More rows lie past the page in the direction it was paged. */
  hasMore: boolean;
  hadAfter: boolean;
  hadBefore: boolean;
}

/**
 * The page from the rows a keyset query returned in paging order (up to `limit + 1`; paged
 * backward, the reverse of list order): the extra row only tells that more exist.
 */
export function pageOf<R, K>(
  window: PageWindow<K>,
  rows: readonly R[],
  keyOf: (row: R) => CursorKey,
): Page<R> {
  const items = rows.slice(0, window.limit);
  if (window.direction === 'backward') items.reverse();
  return {
    items,
    keys: items.map(keyOf),
    direction: window.direction,
    hasMore: rows.length > window.limit,
    hadAfter: window.after !== null,
    hadBefore: window.before !== null,
  };
}

/** The same page with its items replaced one for one (e.g. rows loaded into API models), keys kept. */
export function withItems<T, U>(page: Page<T>, items: U[]): Page<U> {
  if (items.length !== page.items.length) throw new Error('A page must keep one item per row');
  return { ...page, items };
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
}

/** A Relay-style connection type for `node`, named `<name>Connection` with `<name>Edge`. */
export function Connection<T>(
  node: Type<T>,
  name: string,
  schema: SchemaMarker = inPublicSchema,
): Type<ConnectionShape<T>> {
  @ObjectType(`${name}Edge`, schema)
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  @ObjectType(`${name}Connection`, schema)
  class ConnectionType {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }
  return ConnectionType;
}

export function pageSize(size: number | null | undefined, field = 'first'): number {
  if (size === null || size === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw DomainError.badInput(field, `${field} must be from 1 to ${MAX_PAGE_SIZE}`);
  }
  return size;
}

/** Cursors are opaque to clients: base64url of the JSON sort key of their row. */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The longest string part of a cursor: the keys cursors carry (ULIDs, WAHA chat ids) are far shorter. */
const MAX_CURSOR_PART = 200;

/** Cursors carry whole numbers and short strings; anything else is not one of ours. */
function isCursorPart(part: unknown): part is string | number {
  if (typeof part === 'number') return Number.isSafeInteger(part);
  // A NUL or a broken surrogate would reach PostgreSQL, which refuses it in text (a 500, not the caller's error).
  return isCleanId(part, MAX_CURSOR_PART);
}

/** The one answer to a cursor this API did not return, whatever is wrong with it. */
export function invalidCursor(field: string): DomainError {
  return DomainError.badInput(field, `${field} is not a cursor this API returned`);
}

export function decodeCursor(cursor: string, arity: number, field = 'after'): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor(field);
  }
  if (Array.isArray(key) && key.length === arity && key.every(isCursorPart)) return key;
  throw invalidCursor(field);
}

/**
 * A keyset cursor over (time, id), as `toConnection` writes `[ms, id]`: the time as whole
 * milliseconds and the id as a string, or BAD_USER_INPUT on `field`. The caller judges the time's range.
 */
export function decodeTimeIdCursor(cursor: string, field: string): { ms: number; id: string } {
  const [ms, id] = decodeCursor(cursor, 2, field);
  if (typeof ms !== 'number' || typeof id !== 'string') throw invalidCursor(field);
  return { ms, id };
}

/** The connection of a page: an edge per item, and PageInfo as PageInfo's field descriptions say. */
export function toConnection<T, R>(page: Page<T>, toNode: (item: T) => R): ConnectionShape<R> {
  const edges = page.items.map((item, i) => ({ cursor: encodeCursor(page.keys[i]!), node: toNode(item) }));
  const forward = page.direction === 'forward';
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? page.hasMore : page.hadBefore,
      hasPreviousPage: forward ? page.hadAfter : page.hasMore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
