import { type FieldMiddleware } from '@nestjs/graphql';
import { DomainError } from './domain-error.js';

/*
 * The public API's object ids: globally unique and opaque to clients, so a client cache that
 * normalizes by `__typename:id` (Apollo Client's default) never merges two objects, and
 * `node(id)` can tell from an id alone which kind of object it names.
 *
 * An id is a short type prefix and the row's key: `wc_01j9…` for a chat, `wm_…` for a message.
 * A session's id has always had this shape (`ws_` + a ULID, also its name in WAHA), so it is its
 * own global id and did not change. Typed prefixes rather than base64 of "Type:key" (Relay's
 * habit): an id read in a log or a support ticket says what it names, and the database keys
 * behind them (ULIDs, UUIDs) are already unguessable, so nothing is gained by hiding them.
 * Clients must still treat ids as opaque: the format may change with a major version.
 */

/** Each kind of Node, its prefix and what its key looks like. */
const NODE_KINDS = {
  WhatsappSession: { prefix: 'ws', key: 'session' },
  WhatsappChat: { prefix: 'wc', key: 'ulid' },
  WhatsappMessage: { prefix: 'wm', key: 'ulid' },
  WhatsappMedia: { prefix: 'wf', key: 'ulid' },
  ApiKey: { prefix: 'ak', key: 'ulid' },
  WebhookEndpoint: { prefix: 'we', key: 'uuid' },
  WebhookDelivery: { prefix: 'wd', key: 'uuid' },
  Tenant: { prefix: 'tn', key: 'uuid' },
} as const;

export type NodeType = keyof typeof NODE_KINDS;
export const NODE_TYPES = Object.keys(NODE_KINDS) as NodeType[];

/** Crockford base32 as ULIDs spell it (lower case in ids; the rows store upper case). */
const ULID = /^[0-9a-hjkmnp-tv-z]{26}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const TYPE_OF_PREFIX = new Map<string, NodeType>(
  NODE_TYPES.map((type) => [NODE_KINDS[type].prefix, type] as const),
);

/** The global id of the row `key` of `type` (as stored: an upper-case ULID, a UUID, a session's id). */
export function toGlobalId(type: NodeType, key: string): string {
  const kind = NODE_KINDS[type];
  if (kind.key === 'session') return key;
  return `${kind.prefix}_${key.toLowerCase()}`;
}

/** What a global id names, with the key as its row stores it; null for anything that is not one. */
export function parseGlobalId(id: string): { type: NodeType; key: string } | null {
  if (typeof id !== 'string' || id.length > 60 || id.charAt(2) !== '_') return null;
  const type = TYPE_OF_PREFIX.get(id.slice(0, 2));
  if (!type) return null;
  const rest = id.slice(3);
  switch (NODE_KINDS[type].key) {
    case 'session':
      return ULID.test(rest) ? { type, key: id } : null;
    case 'ulid':
      return ULID.test(rest) ? { type, key: rest.toUpperCase() } : null;
    case 'uuid':
      return UUID.test(rest) ? { type, key: rest } : null;
  }
}

/**
 * The row key an id argument names, or BAD_USER_INPUT on `field`: an id that is not a global id,
 * or names another kind of object, is wrong whichever tenant sends it (details.expected says
 * which kind the argument takes). An unknown key stays the caller's NOT_FOUND to raise.
 */
export function keyOf(type: NodeType, id: string, field: string): string {
  const parsed = parseGlobalId(id);
  if (parsed?.type === type) return parsed.key;
  throw DomainError.badInput(
    field,
    parsed
      ? `${field} is the id of a ${parsed.type}, not of a ${type}`
      : `${field} is not an id this API returned`,
    { expected: type },
  );
}

/** The key when `id` is a global id of `type`; null when it is anything else (e.g. one of WAHA's ids). */
export function keyIfGlobal(type: NodeType, id: string): string | null {
  const parsed = parseGlobalId(id);
  return parsed?.type === type ? parsed.key : null;
}

/**
 * Field middleware that shows a row key as its global id. The models keep the rows' own keys
 * (the services, links and n8n work with those); the id is made global only where it leaves
 * through GraphQL, in one place per field.
 */
export function globalIdField(type: NodeType): FieldMiddleware {
  return async (_ctx, next) => {
    const key: unknown = await next();
    return typeof key === 'string' ? toGlobalId(type, key) : key;
  };
}

/** The same for a list of keys. */
export function globalIdsField(type: NodeType): FieldMiddleware {
  return async (_ctx, next) => {
    const keys: unknown = await next();
    return Array.isArray(keys) ? keys.map((key: string) => toGlobalId(type, key)) : keys;
  };
}

/** SQL for the global id of the key `expr` of `type` (for JSON built in the database, e.g. webhook bodies). */
export function globalIdSql(type: Exclude<NodeType, 'WhatsappSession'>, expr: string): string {
  return `('${NODE_KINDS[type].prefix}_' || lower((${expr})::text))`;
}
