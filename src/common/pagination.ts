import { type Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { DomainError } from './domain-error.js';
import { inPublicSchema, type SchemaMarker } from './graphql-schemas.js';
import { isCleanId } from './storable.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType('PageInfo', inPublicSchema)
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor!: string | null;
}

@ArgsType(inPublicSchema)
export class ForwardPageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
  })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The `endCursor` of the previous page.' })
  after?: string | null;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
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

export function pageSize(first: number | null | undefined, field = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw DomainError.badInput(field, `${field} must be from 1 to ${MAX_PAGE_SIZE}`);
  }
  return first;
}

/** Cursors are opaque to clients: base64url of the JSON sort key of the last row. */
export function encodeCursor(key: readonly (string | number)[]): string {
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

export function toConnection<T, R>(
  page: Page<T>,
  toNode: (item: T) => R,
  cursorOf: (item: T) => readonly (string | number)[],
): ConnectionShape<R> {
  const edges = page.items.map((item) => ({ cursor: encodeCursor(cursorOf(item)), node: toNode(item) }));
  return {
    edges,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
