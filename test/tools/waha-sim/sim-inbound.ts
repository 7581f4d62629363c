/**
 * A message someone sends the account (the control API's `inbound`): text, media of each kind,
 * a location, contact cards, a reply, in a chat with a person (by phone number or LID) or in
 * a group, checked here and turned into what WAHA would deliver.
 */
import type { WAMessage } from '../../../src/waha/waha.types.js';
import type { ComposeInput } from './sim-compose.js';
import { SimControlError } from './sim-errors.js';
import { DEFAULT_MIMETYPE, decodeBytes, MEDIA_KINDS, type MediaKind, sampleBytes } from './sim-media.js';
import type { SimMessaging } from './sim-messaging.js';
import type { RawContent, SimLocation } from './sim-raw.js';
import type { SimSession } from './sim-session.js';

export interface SimInboundMedia {
  kind: MediaKind;
  /** Default: WhatsApp's usual one for the kind (voice `audio/ogg; codecs=opus`, sticker `image/webp`). */
  mimetype?: string;
  /** Default: none, except `document.pdf` for a document. */
  filename?: string;
  /** The file: a Buffer, or base64 text. Default: a small real sample of the kind. */
  bytes?: Buffer | string;
  caption?: string;
  /** WAHA could not download the file: `media.url` null and this as `media.error` (true: a default). */
  error?: Record<string, unknown> | true;
}

export interface SimInboundInput {
  /** `<digits>@c.us`, `<digits>@lid` or a group `<digits>@g.us` (create it with createGroup first). */
  from: string;
  /** The text; for media, location or contact cards it may be left out. */
  body?: string;
  pushName?: string;
  /** The engine's message id (default: a new one). */
  id?: string;
  /** For `from` `<digits>@lid`: the sender's phone-number id `<digits>@c.us`. */
  pn?: string;
  /** For a group: the author, `<digits>@c.us` or `<digits>@lid`. */
  participant?: string;
  /** For an author named by LID: the author's phone-number id `<digits>@c.us`. */
  participantPn?: string;
  /** The WAHA id of a message of the same chat this one replies to. */
  replyTo?: string;
  media?: SimInboundMedia;
  location?: {
    latitude: number | string;
    longitude: number | string;
    name?: string;
    address?: string;
    url?: string;
  };
  vCards?: string[];
  /**
   * Stored (the chats and messages APIs show it) but announced by no webhook: WAHA #2250, a
   * message WAHA keeps and never sends as `message` / `message.any`. What reconciliation recovers.
   */
  silent?: boolean;
}

const PERSON = /^\d{1,20}@(c\.us|lid)$/;
const PHONE = /^\d{1,20}@c\.us$/;
const CHAT = /^\d{1,20}@(c\.us|lid)$|^\d{1,20}(-\d{1,20})?@g\.us$/;

const bad = (message: string) => new SimControlError(400, message);
const optionalString = (value: unknown, name: string) => {
  if (value !== undefined && typeof value !== 'string') throw bad(`inbound \`${name}\` must be a string`);
  return value as string | undefined;
};

/**
 * A message arrives from someone: needs WORKING; stored, `message` and `message.any` sent (none
 * when `silent`).
 */
export function deliverInbound(
  messaging: SimMessaging,
  session: SimSession,
  input: SimInboundInput,
): WAMessage {
  if (typeof input?.from !== 'string' || !CHAT.test(input.from)) {
    throw bad('inbound needs `from` as a chat id (<digits>@c.us, <digits>@lid or <digits>@g.us)');
  }
  const body = optionalString(input.body, 'body');
  const pushName = optionalString(input.pushName, 'pushName');
  const engineId = optionalString(input.id, 'id');
  const content = contentOf(input, body);
  if (input.silent !== undefined && typeof input.silent !== 'boolean') {
    throw bad('inbound `silent` must be a boolean');
  }
  if (session.status !== 'WORKING') {
    throw new SimControlError(
      409,
      `session ${session.name} is ${session.status}; inbound messages need WORKING`,
    );
  }

  const chatId = input.from;
  const group = chatId.endsWith('@g.us') ? session.groups.get(chatId) : undefined;
  if (chatId.endsWith('@g.us') && !group) {
    throw new SimControlError(
      404,
      `no group ${chatId} in session ${session.name}: create it with createGroup`,
    );
  }
  let author = chatId;
  let authorPn = optionalString(input.pn, 'pn');
  if (group) {
    if (typeof input.participant !== 'string' || !PERSON.test(input.participant)) {
      throw bad('a group message needs `participant`, its author: <digits>@c.us or <digits>@lid');
    }
    if (input.pn !== undefined) throw bad('`pn` is for a chat with a LID; in a group use `participantPn`');
    author = input.participant;
    authorPn = optionalString(input.participantPn, 'participantPn');
  } else if (input.participant !== undefined || input.participantPn !== undefined) {
    throw bad('`participant` and `participantPn` are for group messages');
  }
  if (authorPn !== undefined) {
    if (!PHONE.test(authorPn)) throw bad('`pn` / `participantPn` must be a phone-number id <digits>@c.us');
    if (!author.endsWith('@lid'))
      throw bad('`pn` / `participantPn` go with a sender named by LID (<digits>@lid)');
  }

  let replyTo: ComposeInput['replyTo'];
  if (input.replyTo !== undefined) {
    const found = typeof input.replyTo === 'string' ? messaging.find(session, input.replyTo) : undefined;
    if (!found || found.chat.id !== chatId) {
      throw new SimControlError(404, `no message ${String(input.replyTo)} in chat ${chatId} to reply to`);
    }
    replyTo = found;
  }
  // WAHA learns a LID's phone number from the messages that carry both (its lids API shows it).
  if (authorPn !== undefined) session.lids.set(author, authorPn);
  authorPn ??= author.endsWith('@lid') ? session.lids.get(author) : undefined;

  return messaging.deliver(
    session,
    {
      chatId,
      fromMe: false,
      author,
      ...(authorPn ? { authorPn } : {}),
      ...(engineId ? { engineId } : {}),
      pushName: pushName ?? null,
      source: 'app',
      ack: 1,
      content: content.content,
      ...(content.file ? { file: content.file } : {}),
      ...(replyTo ? { replyTo } : {}),
    },
    group ? group.subject : (pushName ?? null),
    { silent: input.silent === true },
  );
}

function contentOf(
  input: SimInboundInput,
  body: string | undefined,
): { content: RawContent; file?: ComposeInput['file'] } {
  const kinds = [input.media, input.location, input.vCards].filter((v) => v !== undefined).length;
  if (kinds > 1) throw bad('inbound carries one of `media`, `location` or `vCards`');
  if (input.media !== undefined) return mediaContent(input.media, body);
  if (input.location !== undefined) {
    const l = input.location;
    const latitude = Number(l?.latitude);
    const longitude = Number(l?.longitude);
    if (
      !Number.isFinite(latitude) ||
      !Number.isFinite(longitude) ||
      Math.abs(latitude) > 90 ||
      Math.abs(longitude) > 180
    ) {
      throw bad('`location` needs a `latitude` (-90..90) and a `longitude` (-180..180)');
    }
    const location: SimLocation = { latitude, longitude };
    for (const key of ['name', 'address', 'url'] as const) {
      const value = optionalString(l[key], `location.${key}`);
      if (value) location[key] = value;
    }
    return { content: { kind: 'location', body: body ?? '', location } };
  }
  if (input.vCards !== undefined) {
    const cards = input.vCards;
    if (
      !Array.isArray(cards) ||
      cards.length === 0 ||
      !cards.every((c) => typeof c === 'string' && c.includes('BEGIN:VCARD'))
    ) {
      throw bad('`vCards` must be a non-empty array of vCard texts (BEGIN:VCARD … END:VCARD)');
    }
    return { content: { kind: 'vcard', body: body ?? '', vCards: [...cards] } };
  }
  if (body === undefined) throw bad('inbound needs a string `body` (or `media`, `location` or `vCards`)');
  return { content: { kind: 'text', body } };
}

function mediaContent(
  media: SimInboundMedia,
  body: string | undefined,
): { content: RawContent; file: NonNullable<ComposeInput['file']> } {
  if (typeof media !== 'object' || media === null || !MEDIA_KINDS.includes(media.kind)) {
    throw bad(`\`media.kind\` must be one of ${MEDIA_KINDS.join(', ')}`);
  }
  const mimetype = optionalString(media.mimetype, 'media.mimetype') ?? DEFAULT_MIMETYPE[media.kind];
  const filename =
    optionalString(media.filename, 'media.filename') ?? (media.kind === 'document' ? 'document.pdf' : null);
  const caption = optionalString(media.caption, 'media.caption') ?? body ?? '';
  let bytes = sampleBytes(media.kind);
  if (media.bytes !== undefined) {
    const decoded = decodeBytes(media.bytes);
    if (!decoded) throw bad('`media.bytes` must be a Buffer or base64 text');
    bytes = decoded;
  }
  let file: NonNullable<ComposeInput['file']> = { bytes };
  if (media.error !== undefined) {
    if (media.error !== true && (typeof media.error !== 'object' || media.error === null)) {
      throw bad("`media.error` must be an object (WAHA's error) or true");
    }
    file = {
      error:
        media.error === true
          ? {
              name: 'Error',
              message: 'Failed to download media from WhatsApp',
              details: 'Error: Failed to download media from WhatsApp\n    at MediaManager.fetchMedia',
            }
          : media.error,
    };
  }
  return {
    content: { kind: media.kind, body: caption, media: { mimetype, filename, size: bytes.length } },
    file,
  };
}
