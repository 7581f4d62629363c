import { type ChangeTarget } from '../chats/message-change-sql.js';
import { isCleanId, storableText } from '../common/storable.js';
import { isGroupChatId, isStorableChatId } from '../waha/chat-ids.js';

/**
 * The payloads of WAHA's `message.reaction` (WAMessageReaction), `message.edited`
 * (WAMessageEditedBody) and `message.revoked` (WAMessageRevokedBody), as the changes to store,
 * or why they are not WAHA's. Lenient where engines differ, strict where a value would be stored.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** WAHA ids are strings, except WEBJS's `{ _serialized }` objects in some engine-shaped payloads. */
const idOf = (value: unknown): unknown =>
  isObject(value) && typeof value['_serialized'] === 'string' ? value['_serialized'] : value;

/** The column limits: message_reactions.sender_id and .reaction, messages.waha_id. */
const SENDER_MAX = 100;
const REACTION_MAX = 64;
const WAHA_ID_MAX = 200;

/** A WAHA message id's parts: `{fromMe}_{chatId}_{id}`, and `_{author}` in a group. */
const WAHA_MESSAGE_ID = /^(true|false)_([^_]+@[^_]+)_([^_]+)(?:_(.+))?$/;

function partsOf(wahaId: string): { chatId: string; engineId: string; author: string | null } | null {
  const match = WAHA_MESSAGE_ID.exec(wahaId);
  return match ? { chatId: match[2]!, engineId: match[3]!, author: match[4] ?? null } : null;
}

export interface ReactionPayload {
  messageWahaId: string;
  senderId: string;
  fromMe: boolean;
  reaction: string;
}

/**
 * A WAMessageReaction. The sender is the linked account for our own reaction (`me`, as the
 * account's other reactions are stored, whatever id the engine puts in `from`), the participant
 * in a group, else `from`.
 */
export function reactionOf(payload: Json, meId: unknown): ReactionPayload | string {
  const { fromMe, reaction } = payload;
  if (typeof fromMe !== 'boolean') return '`fromMe` must be a boolean';
  if (!isObject(reaction)) return '`reaction` must be an object';
  const messageWahaId = idOf(reaction['messageId']);
  if (!isCleanId(messageWahaId, WAHA_ID_MAX)) return '`reaction.messageId` must be a message id';
  const text = reaction['text'];
  if (typeof text !== 'string' || text.length > REACTION_MAX) {
    return `\`reaction.text\` must be an emoji or '' (at most ${REACTION_MAX} characters)`;
  }
  const from = idOf(payload['from']);
  const to = idOf(payload['to']);
  const participant = idOf(payload['participant']);
  const group = [from, to, partsOf(messageWahaId)?.chatId].some(
    (id) => typeof id === 'string' && isGroupChatId(id),
  );
  let senderId: unknown;
  if (fromMe && isCleanId(meId, SENDER_MAX)) senderId = meId;
  else if (group || fromMe)
    senderId = isCleanId(participant, SENDER_MAX) ? participant : fromMe ? from : null;
  else senderId = from;
  if (!isCleanId(senderId, SENDER_MAX)) {
    return group ? '`participant` must name who reacted in a group' : '`from` must name who reacted';
  }
  return { messageWahaId, senderId, fromMe, reaction: storableText(text) };
}

/** The chat an action message (an edit, a revoke) is in: `to` for our own, else `from`. */
function chatOf(message: Json): string | null {
  const chatId = idOf(message['fromMe'] === true ? message['to'] : message['from']);
  return isStorableChatId(chatId) ? chatId : null;
}

/**
 * Which message an edit or revoke names: WhatsApp's id of it, and the full WAHA ids it likely
 * has: WEBJS's event carries it (the action's own id is the message's), NOWEB's and GOWS's give
 * the chat, direction and author to build it from.
 */
function targetOf(
  action: Json,
  engineIdValue: unknown,
  field: string,
  ownIds: unknown[],
  meId: unknown,
): ChangeTarget | string {
  const chatId = chatOf(action);
  if (chatId === null) return `\`${action['fromMe'] === true ? 'to' : 'from'}\` must be a chat id`;
  const full = ownIds
    .map(idOf)
    .filter((id): id is string => isCleanId(id, WAHA_ID_MAX) && partsOf(id) !== null);
  let engineId: string;
  if (engineIdValue !== undefined && engineIdValue !== null) {
    const named = idOf(engineIdValue);
    if (!isCleanId(named, WAHA_ID_MAX)) return `\`${field}\` must be a message id`;
    // Some engines name it by its full id.
    const parts = partsOf(named);
    engineId = parts ? parts.engineId : named;
    if (parts) full.unshift(named);
    if (engineId.includes('_')) return `\`${field}\` must be a message id`;
  } else {
    const parts = full.length > 0 ? partsOf(full[0]!) : null;
    if (!parts) return `\`${field}\` must be a message id`;
    engineId = parts.engineId;
  }
  const fromMe = action['fromMe'] === true;
  // Our own group message's id ends with the account, under whichever id the engine used.
  const authors = [idOf(action['participant']), idOf(action['author']), fromMe ? meId : null].filter(
    (id): id is string => isCleanId(id, SENDER_MAX) && !id.includes('_'),
  );
  const base = `${String(fromMe)}_${chatId}_${engineId}`;
  const likely = isGroupChatId(chatId) ? authors.map((author) => `${base}_${author}`) : [base];
  const wahaIds = [...new Set([...full.filter((id) => partsOf(id)!.engineId === engineId), ...likely])];
  return { chatId, engineId, wahaIds, authors: [...new Set(authors)] };
}

export interface EditPayload {
  target: ChangeTarget;
  /** The new text (or caption). */
  body: string;
}

/** A WAMessageEditedBody: the edit (a message in the chat of the one it edits) and the new text. */
export function editOf(payload: Json, meId: unknown): EditPayload | string {
  if (typeof payload['fromMe'] !== 'boolean') return '`fromMe` must be a boolean';
  const body = payload['body'];
  if (typeof body !== 'string') return '`body` must be the new text';
  if (payload['editedMessageId'] === undefined || payload['editedMessageId'] === null) {
    return '`editedMessageId` must be a message id';
  }
  const target = targetOf(payload, payload['editedMessageId'], 'editedMessageId', [payload['id']], meId);
  if (typeof target === 'string') return target;
  return { target, body: storableText(body) };
}

/**
 * A WAMessageRevokedBody: `after` is the revoke (WEBJS: the message as it is now, under its own
 * id; NOWEB, GOWS: the protocol message in its chat), `before` the message (WEBJS only).
 */
export function revokeOf(payload: Json, meId: unknown): { target: ChangeTarget } | string {
  const after = payload['after'];
  const before = payload['before'];
  if (after !== undefined && after !== null && !isObject(after)) return '`after` must be a message';
  if (before !== undefined && before !== null && !isObject(before)) return '`before` must be a message';
  const action = isObject(after) ? after : isObject(before) ? before : null;
  if (action === null) return '`after` or `before` must be the message';
  if (typeof action['fromMe'] !== 'boolean') return '`after.fromMe` must be a boolean';
  const own = [isObject(before) ? before['id'] : undefined, isObject(after) ? after['id'] : undefined];
  const target = targetOf(action, payload['revokedMessageId'], 'revokedMessageId', own, meId);
  return typeof target === 'string' ? target : { target };
}
