import { isGroupChatId, isLid, personIdOf } from './chat-ids.js';
import { MessageType } from './message-types.js';
import { isCleanId, storableText } from '../common/storable.js';

/**
 * The parts of a WAMessage beyond its text (openapi: WAMessage, WAMedia, ReplyToMessage,
 * WALocation), read the way messageOf reads the rest: a field of WAHA's spec with the wrong
 * shape is a reason (a 400, WAHA's contract broken), while the engine's raw `_data` is read
 * tolerantly (it "may be changed anytime", WAHA says): what is not where we look is unknown, never
 * an error.
 */

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a part's reader gives: the value, or why the payload is not a WAMessage. */
export type Parsed<T> = { value: T } | { reason: string };

const absent = (value: unknown): boolean => value === undefined || value === null;

/** A message's file as WAHA described it (WAMedia), for the media row (see media-rows.ts). */
export interface IncomingMedia {
  /** WAHA's URL of the file; null when WAHA has none (download failed or off). */
  url: string | null;
  mimetype: string | null;
  filename: string | null;
  /** WAHA's own download error, in words; null when there was none. */
  error: string | null;
}

/** The message a reply quotes: WAHA's id of it (see replyToOf) and a short excerpt of its text. */
export interface IncomingReplyTo {
  wahaId: string;
  excerpt: string | null;
}

/** A shared location as stored (messages.location): WALocation's fields, its thumbnail left out. */
export type IncomingLocation = Record<string, string | boolean>;

/** How long a quoted excerpt is kept. */
export const REPLY_EXCERPT_MAX = 200;
const MAX_VCARDS = 50;
const MAX_VCARD_LENGTH = 20_000;
const MAX_LOCATION_TEXT = 1_000;

/** whatsapp-web.js's `type` of a message (WAHA WEBJS's `_data.type`). */
const WEBJS_TYPES: Record<string, MessageType> = {
  chat: MessageType.TEXT,
  image: MessageType.IMAGE,
  video: MessageType.VIDEO,
  gif: MessageType.VIDEO,
  ptv: MessageType.VIDEO,
  audio: MessageType.AUDIO,
  ptt: MessageType.VOICE,
  document: MessageType.DOCUMENT,
  sticker: MessageType.STICKER,
  location: MessageType.LOCATION,
  vcard: MessageType.CONTACT,
  multi_vcard: MessageType.CONTACT,
};

/** The proto message's content fields (Baileys' `_data.message`, whatsmeow's `_data.Message`). */
const PROTO_TYPES: Record<string, MessageType> = {
  conversation: MessageType.TEXT,
  extendedTextMessage: MessageType.TEXT,
  imageMessage: MessageType.IMAGE,
  videoMessage: MessageType.VIDEO,
  ptvMessage: MessageType.VIDEO,
  audioMessage: MessageType.AUDIO,
  documentMessage: MessageType.DOCUMENT,
  stickerMessage: MessageType.STICKER,
  locationMessage: MessageType.LOCATION,
  liveLocationMessage: MessageType.LOCATION,
  contactMessage: MessageType.CONTACT,
  contactsArrayMessage: MessageType.CONTACT,
};

/** Proto wrappers whose `message` is the real content (disappearing, view-once, captioned documents). */
const PROTO_WRAPPERS = [
  'ephemeralMessage',
  'viewOnceMessage',
  'viewOnceMessageV2',
  'viewOnceMessageV2Extension',
  'documentWithCaptionMessage',
  'editedMessage',
];

/** The engine's proto message, unwrapped: NOWEB's `_data.message`, GOWS's `_data.Message`. */
export function protoMessageOf(data: Json | null): Json | null {
  let message = data ? (data['message'] ?? data['Message']) : undefined;
  for (let depth = 0; depth < 4 && isObject(message); depth++) {
    const wrapper = PROTO_WRAPPERS.map((key) => (message as Json)[key]).find(isObject);
    const inner = wrapper?.['message'];
    if (!isObject(inner)) break;
    message = inner;
  }
  return isObject(message) ? message : null;
}

/** The proto message's content field and its value (e.g. `imageMessage` and its fields). */
function protoContentOf(proto: Json | null): { key: string; value: Json } | null {
  if (!proto) return null;
  for (const key of Object.keys(PROTO_TYPES)) {
    const value = proto[key];
    if (isObject(value)) return { key, value };
    if (key === 'conversation' && typeof value === 'string') return { key, value: {} };
  }
  return null;
}

/**
 * What the message is. WAMessage has no type: the engine's own says it (WEBJS `_data.type`;
 * NOWEB and GOWS the proto message's content field, a voice note being `audioMessage` with
 * `ptt`); failing that, what the message carries (a location, vCards, the media's mimetype).
 */
export function messageTypeOf(
  data: Json | null,
  carried: { hasMedia: boolean; mimetype: string | null; location: boolean; vcards: boolean },
): MessageType {
  const webjs = data?.['type'];
  if (typeof webjs === 'string') return WEBJS_TYPES[webjs] ?? MessageType.OTHER;
  const proto = protoMessageOf(data);
  const content = protoContentOf(proto);
  if (content) {
    const type = PROTO_TYPES[content.key]!;
    return type === MessageType.AUDIO && content.value['ptt'] === true ? MessageType.VOICE : type;
  }
  // A proto message of another kind (a poll, a call, a protocol notice): not one we tell apart.
  if (proto && Object.keys(proto).some((key) => key.endsWith('Message'))) return MessageType.OTHER;
  if (carried.location) return MessageType.LOCATION;
  if (carried.vcards) return MessageType.CONTACT;
  if (!carried.hasMedia) return MessageType.TEXT;
  const mimetype = (carried.mimetype ?? '').toLowerCase();
  if (mimetype.startsWith('image/')) return MessageType.IMAGE;
  if (mimetype.startsWith('video/')) return MessageType.VIDEO;
  // WhatsApp's voice notes are Opus in Ogg; other audio is a file sent as audio.
  if (mimetype.startsWith('audio/'))
    return /ogg.*opus|opus/.test(mimetype) ? MessageType.VOICE : MessageType.AUDIO;
  return MessageType.DOCUMENT;
}

const optionalText = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.trim() !== '' ? storableText(value.trim(), max) : null;

function errorWords(error: unknown): string {
  if (typeof error === 'string') return error;
  if (isObject(error) && typeof error['message'] === 'string') return error['message'];
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/**
 * The file of a message with `hasMedia`: WAMedia's url, mimetype, filename and error, the
 * mimetype and filename completed from the engine's data where WAMedia lacks them (WAHA sends
 * `media: null` when its download is off).
 */
export function mediaOf(payload: Json, data: Json | null): Parsed<IncomingMedia | null> {
  const media = payload['media'];
  if (!absent(media) && !isObject(media)) return { reason: '`media` must be an object' };
  if (payload['hasMedia'] !== true) return { value: null };
  const m = isObject(media) ? media : {};
  for (const key of ['url', 'mimetype', 'filename'] as const) {
    if (!absent(m[key]) && typeof m[key] !== 'string') return { reason: `\`media.${key}\` must be a string` };
  }
  const content = protoContentOf(protoMessageOf(data))?.value ?? {};
  const url = typeof m['url'] === 'string' && m['url'] !== '' ? m['url'] : null;
  const deprecatedUrl = typeof payload['mediaUrl'] === 'string' ? payload['mediaUrl'] : null;
  return {
    value: {
      url: url ?? (absent(m['error']) ? deprecatedUrl : null),
      mimetype: optionalText(m['mimetype'] ?? data?.['mimetype'] ?? content['mimetype'], 255),
      filename: optionalText(m['filename'] ?? data?.['filename'] ?? content['fileName'], 255),
      error: absent(m['error']) ? null : storableText(errorWords(m['error']), 300),
    },
  };
}

/**
 * The quoted message of a reply. WAHA's ReplyToMessage gives the engine's id of it (`AAAA…`),
 * not its WAHA id: the WAHA id is made as WAHA makes it, `{fromMe}_{chatId}_{id}` (and
 * `_{participant}` in a group), so a dashboard finds the quoted message among the chat's by id.
 * Who wrote the quoted message decides `fromMe`; when WAHA does not say, or names them by an id
 * that is neither the chat's nor ours, the engine's id is kept as WAHA gave it.
 */
export function replyToOf(
  payload: Json,
  chat: { chatId: string; altChatId: string | null; me: string | null },
): Parsed<IncomingReplyTo | null> {
  const reply = payload['replyTo'];
  if (absent(reply)) return { value: null };
  if (!isObject(reply) || !isCleanId(reply['id'], 200))
    return { reason: '`replyTo.id` must be a message id' };
  if (!absent(reply['body']) && typeof reply['body'] !== 'string') {
    return { reason: '`replyTo.body` must be a string' };
  }
  const id = reply['id'];
  const excerpt =
    typeof reply['body'] === 'string' && reply['body'] !== ''
      ? storableText(reply['body'], REPLY_EXCERPT_MAX)
      : null;
  if (/^(true|false)_/.test(id)) return { value: { wahaId: id, excerpt } };
  const author = personIdOf(reply['participant']);
  const me = personIdOf(chat.me);
  let fromMe: boolean | null = null;
  if (author !== null && author === me) fromMe = true;
  else if (author !== null && isGroupChatId(chat.chatId)) fromMe = false;
  else if (author !== null && (author === chat.chatId || author === chat.altChatId)) fromMe = false;
  if (fromMe === null) return { value: { wahaId: id, excerpt } };
  const group = isGroupChatId(chat.chatId) ? `_${author}` : '';
  const wahaId = `${String(fromMe)}_${chat.chatId}_${id}${group}`;
  return { value: { wahaId: wahaId.length <= 200 ? wahaId : id, excerpt } };
}

/** WALocation as stored: latitude and longitude as text (WAHA's spec types them so), the rest if given. */
export function locationOf(payload: Json): Parsed<IncomingLocation | null> {
  const location = payload['location'];
  if (absent(location)) return { value: null };
  const coordinate = (value: unknown, limit: number): string | null => {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && value.trim() !== ''
          ? Number(value)
          : NaN;
    return Number.isFinite(n) && Math.abs(n) <= limit ? String(n) : null;
  };
  const latitude = isObject(location) ? coordinate(location['latitude'], 90) : null;
  const longitude = isObject(location) ? coordinate(location['longitude'], 180) : null;
  if (!isObject(location) || latitude === null || longitude === null) {
    return { reason: '`location` must have a `latitude` (-90 to 90) and a `longitude` (-180 to 180)' };
  }
  const stored: IncomingLocation = { latitude, longitude, live: location['live'] === true };
  for (const key of ['name', 'address', 'url', 'description'] as const) {
    const text = optionalText(location[key], MAX_LOCATION_TEXT);
    if (text !== null) stored[key] = text;
  }
  return { value: stored };
}

/** A contact message's vCards (WAHA sends `[]` for other messages: none). */
export function vcardsOf(payload: Json): Parsed<string[] | null> {
  const cards = payload['vCards'];
  if (absent(cards)) return { value: null };
  if (!Array.isArray(cards) || !cards.every((card) => typeof card === 'string')) {
    return { reason: '`vCards` must be an array of strings' };
  }
  const kept = (cards as string[])
    .filter((card) => card.trim() !== '')
    .slice(0, MAX_VCARDS)
    .map((card) => storableText(card, MAX_VCARD_LENGTH));
  return { value: kept.length > 0 ? kept : null };
}

/** The first of `candidates` that is a person's id of the other kind than `id` (a LID for a phone number, and back). */
export function otherIdOf(id: string, candidates: unknown[]): string | null {
  for (const candidate of candidates) {
    const person = personIdOf(candidate);
    if (person !== null && isLid(person) !== isLid(id)) return person;
  }
  return null;
}

/**
 * The contact's other id, for a chat with a person: its LID when the chat is its phone number,
 * or the other way round, where the engine's data names both (WAHA passes the engine's message
 * on as `_data`). NOWEB (Baileys 7): `key.remoteJid` and `key.remoteJidAlt` (older: `senderPn`);
 * GOWS (whatsmeow): `Info.Chat`, `Info.Sender` with `Info.SenderAlt`, and `Info.RecipientAlt` for
 * our own messages. Phone numbers come as `<digits>@s.whatsapp.net` (with a device at times) and
 * are kept as WAHA's `<digits>@c.us`. Null for groups, and when nothing names the other id.
 */
export function altChatIdOf(chatId: string, fromMe: boolean, data: Json | null): string | null {
  if (!data || personIdOf(chatId) !== chatId) return null;
  const key = isObject(data['key']) ? data['key'] : {};
  const info = isObject(data['Info']) ? data['Info'] : {};
  return otherIdOf(chatId, [
    key['remoteJidAlt'],
    key['remoteJid'],
    fromMe ? undefined : key['senderPn'],
    fromMe ? info['RecipientAlt'] : info['SenderAlt'],
    info['Chat'],
    fromMe ? undefined : info['Sender'],
  ]);
}

/**
 * A group message's author (WAMessage `participant`, WEBJS `author`, else the engine's sender)
 * and its phone-number id: the author's own id when it is one, else the engine's alternative
 * (NOWEB `key.participantAlt` or `participantPn`, GOWS `Info.SenderAlt`). Null outside groups.
 */
export function authorOf(
  payload: Json,
  chatId: string,
  fromMe: boolean,
  data: Json | null,
): Parsed<{ authorId: string | null; authorPhoneId: string | null }> {
  for (const field of ['participant', 'author'] as const) {
    if (!absent(payload[field]) && typeof payload[field] !== 'string') {
      return { reason: `\`${field}\` must be a string` };
    }
  }
  const none = { value: { authorId: null, authorPhoneId: null } };
  if (!isGroupChatId(chatId)) return none;
  const key = data && isObject(data['key']) ? data['key'] : {};
  const info = data && isObject(data['Info']) ? data['Info'] : {};
  const authorId =
    personIdOf(payload['participant']) ??
    personIdOf(payload['author']) ??
    personIdOf(key['participant']) ??
    (fromMe ? null : personIdOf(info['Sender']));
  if (authorId === null) return none;
  const authorPhoneId = isLid(authorId)
    ? otherIdOf(authorId, [key['participantAlt'], key['participantPn'], info['SenderAlt']])
    : authorId;
  return { value: { authorId, authorPhoneId } };
}
