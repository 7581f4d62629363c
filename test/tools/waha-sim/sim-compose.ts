/**
 * One message as WAHA delivers it, whichever way it goes: its WAHA id, the WAMessage with its
 * media (the file saved in WAHA's storage), location, vCards and reply, and the engine's `_data`.
 */
import { randomBytes } from 'node:crypto';

import { WAHA_ACK_NAMES, type MeInfo, type WahaAck, type WAMessage } from '../../../src/waha/waha.types.js';
import type { SimFileStore } from './sim-media.js';
import { type RawContent, rawData, type RawEnvelope } from './sim-raw.js';
import type { SimEngineName, SimSession } from './sim-session.js';

/**
 * WAMedia as WAHA sends it: `filename` null for media that has none, `url` null and `error` set
 * when the download failed, `error` null otherwise (the spec types them as non-null; see
 * WAHA_DEPARTURES in test/waha/support/openapi.ts).
 */
export interface SimMedia {
  url: string | null;
  mimetype: string;
  filename: string | null;
  error: Record<string, unknown> | null;
}

export const asWaMedia = (media: SimMedia) => media as unknown as WAMessage['media'];

/** What the simulator remembers of a message beyond its WAMessage. */
export interface MessageMeta {
  envelope: RawEnvelope;
  content: RawContent;
}

export interface ComposeInput {
  chatId: string;
  fromMe: boolean;
  /** The sender, for a group message its author (`@c.us` or `@lid`); ours: `me.id`. */
  author: string;
  authorPn?: string;
  engineId?: string;
  pushName: string | null;
  source: 'api' | 'app';
  ack: WahaAck;
  content: RawContent;
  /** The file's bytes (saved in WAHA's storage), or WAHA's error when its download failed. */
  file?: { bytes: Buffer } | { error: Record<string, unknown> };
  /** The message replied to, when it is one the simulator knows. */
  replyTo?: { message: WAMessage; meta: MessageMeta };
}

export interface ComposeContext {
  engine: SimEngineName;
  files: SimFileStore;
  baseUrl: () => string;
}

export function newEngineMessageId(engine: SimEngineName): string {
  const hex = randomBytes(10).toString('hex').toUpperCase();
  return engine === 'NOWEB' ? `BAE5${hex.slice(0, 12)}` : `3EB0${hex.slice(0, 16)}`;
}

/** WAHA's message id: `{fromMe}_{chatId}_{id}`, and `_{participant}` in a group. */
export function wahaMessageId(fromMe: boolean, chatId: string, engineId: string, author: string): string {
  return `${String(fromMe)}_${chatId}_${engineId}${chatId.endsWith('@g.us') ? `_${author}` : ''}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function composeMessage(
  ctx: ComposeContext,
  session: SimSession,
  input: ComposeInput,
): { message: WAMessage; meta: MessageMeta } {
  const me = session.me as MeInfo;
  const engineId = input.engineId ?? newEngineMessageId(ctx.engine);
  const id = wahaMessageId(input.fromMe, input.chatId, engineId, input.author);
  const quoted = input.replyTo;
  const content: RawContent = quoted
    ? {
        ...input.content,
        quoted: {
          engineId: quoted.meta.envelope.engineId,
          participant: quoted.meta.envelope.author,
          body: quoted.message.body,
          kind: quoted.meta.content.kind,
        },
      }
    : input.content;
  const envelope: RawEnvelope = {
    id,
    engineId,
    chatId: input.chatId,
    fromMe: input.fromMe,
    author: input.author,
    ...(input.authorPn ? { authorPn: input.authorPn } : {}),
    me,
    pushName: input.pushName,
    timestamp: nowSeconds(),
    ack: input.ack,
  };

  const message: WAMessage = {
    id,
    timestamp: envelope.timestamp,
    from: input.fromMe ? me.id : input.chatId,
    fromMe: input.fromMe,
    source: input.source,
    to: input.fromMe ? input.chatId : me.id,
    ...(input.chatId.endsWith('@g.us') ? { participant: input.author } : {}),
    body: content.body,
    hasMedia: content.media !== undefined,
    ack: input.ack,
    ackName: WAHA_ACK_NAMES[input.ack],
    vCards: content.vCards ?? [],
  };
  if (content.media) {
    const { mimetype, filename } = content.media;
    if (input.file && 'bytes' in input.file) {
      // WEBJS names the file by the serialized id, NOWEB and GOWS by the engine's own id.
      const fileId = ctx.engine === 'WEBJS' ? id : engineId;
      const path = ctx.files.save(session.name, id, fileId, mimetype, input.file.bytes);
      const url = `${ctx.baseUrl()}/api/files/${path}`;
      message.media = asWaMedia({ url, mimetype, filename, error: null });
      message.mediaUrl = url;
    } else {
      const error = input.file && 'error' in input.file ? input.file.error : { message: 'not downloaded' };
      message.media = asWaMedia({ url: null, mimetype, filename, error });
    }
  }
  if (content.location) {
    const l = content.location;
    message.location = {
      latitude: String(l.latitude),
      longitude: String(l.longitude),
      live: false,
      ...(l.name ? { name: l.name } : {}),
      ...(l.address ? { address: l.address } : {}),
      ...(l.url ? { url: l.url } : {}),
    };
  }
  if (quoted) {
    message.replyTo = {
      id: quoted.meta.envelope.engineId,
      participant: quoted.meta.envelope.author,
      body: quoted.message.body,
      hasMedia: quoted.message.hasMedia,
    };
  }
  message._data = rawData(ctx.engine, envelope, content);
  return { message, meta: { envelope, content } };
}
