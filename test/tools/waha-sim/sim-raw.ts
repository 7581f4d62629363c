/**
 * Each engine's own message object, as WAHA passes it on: a WAMessage's `_data`, and the 201
 * answer of the send endpoints (WEBJS and NOWEB answer with their own object, not a WAMessage).
 * WEBJS: whatsapp-web.js's message (`type` chat, image, ptt, location, vcard, …); NOWEB: Baileys'
 * WebMessageInfo (`key`, `message`); GOWS: whatsmeow's events.Message (`Info`, `Message`).
 * Only the fields a reader is likely to look at are filled.
 */
import type { MeInfo, WAMessage } from '../../../src/waha/waha.types.js';
import { type MediaKind, PROTO_FIELD, WEBJS_TYPE } from './sim-media.js';
import type { SimEngineName } from './sim-session.js';

export type ContentKind = 'text' | MediaKind | 'location' | 'vcard';

export interface SimLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  url?: string;
}

/** What a message says, whoever's engine carries it. */
export interface RawContent {
  kind: ContentKind;
  /** The text, or a media message's caption. */
  body: string;
  media?: { mimetype: string; filename: string | null; size: number };
  location?: SimLocation;
  vCards?: string[];
  quoted?: { engineId: string; participant: string; body: string; kind: ContentKind };
}

/** Who sent a message where: ids in WAHA's form (`@c.us`, `@lid`, `@g.us`). */
export interface RawEnvelope {
  id: string;
  engineId: string;
  chatId: string;
  fromMe: boolean;
  /** The sender: our account for our own messages, else the group author or the chat. */
  author: string;
  /** The phone-number id of a sender named by LID (WAHA 2026 passes it in the engine's data). */
  authorPn?: string;
  me: MeInfo;
  pushName: string | null;
  timestamp: number;
  ack: number;
}

/** whatsmeow and Baileys write a phone-number id as `<digits>@s.whatsapp.net`. */
export function jid(id: string): string {
  return id.replace(/@c\.us$/, '@s.whatsapp.net');
}

const isGroup = (chatId: string) => chatId.endsWith('@g.us');

export function vcardName(vcard: string): string {
  return /^FN[;:](?:[^:\n]*:)?(.*)$/m.exec(vcard)?.[1]?.trim() ?? '';
}

/** Baileys' and whatsmeow's proto message (whatsmeow spells a few keys in upper case). */
function protoMessage(content: RawContent, gows: boolean, sent = false): Record<string, unknown> {
  const context = content.quoted
    ? {
        contextInfo: {
          [gows ? 'stanzaID' : 'stanzaId']: content.quoted.engineId,
          participant: jid(content.quoted.participant),
          quotedMessage: protoMessage({ kind: content.quoted.kind, body: content.quoted.body }, gows),
        },
      }
    : {};
  switch (content.kind) {
    case 'text':
      return content.quoted || sent
        ? { extendedTextMessage: { text: content.body, ...context } }
        : { conversation: content.body };
    case 'location': {
      const l = content.location as SimLocation;
      return {
        locationMessage: {
          degreesLatitude: l.latitude,
          degreesLongitude: l.longitude,
          ...(l.name ? { name: l.name } : {}),
          ...(l.address ? { address: l.address } : {}),
          ...(l.url ? { [gows ? 'URL' : 'url']: l.url } : {}),
          ...context,
        },
      };
    }
    case 'vcard': {
      const cards = (content.vCards ?? []).map((vcard) => ({ displayName: vcardName(vcard), vcard }));
      return cards.length === 1
        ? { contactMessage: { ...cards[0], ...context } }
        : { contactsArrayMessage: { displayName: `${cards.length} contacts`, contacts: cards, ...context } };
    }
    default: {
      const media = content.media ?? { mimetype: 'application/octet-stream', filename: null, size: 0 };
      return {
        [PROTO_FIELD[content.kind]]: {
          [gows ? 'URL' : 'url']: 'https://mmg.whatsapp.net/v/t62.7118-24/sim.enc',
          mimetype: media.mimetype,
          fileLength: gows ? media.size : String(media.size),
          ...(content.body && ['image', 'video', 'document'].includes(content.kind)
            ? { caption: content.body }
            : {}),
          ...(content.kind === 'document' && media.filename ? { fileName: media.filename } : {}),
          ...(content.kind === 'audio' || content.kind === 'voice' ? { ptt: content.kind === 'voice' } : {}),
          ...context,
        },
      };
    }
  }
}

function webjsType(content: RawContent): string {
  if (content.kind === 'text') return 'chat';
  if (content.kind === 'location') return 'location';
  if (content.kind === 'vcard') return (content.vCards?.length ?? 0) > 1 ? 'multi_vcard' : 'vcard';
  return WEBJS_TYPE[content.kind];
}

function webjsData(m: RawEnvelope, content: RawContent): Record<string, unknown> {
  const group = isGroup(m.chatId);
  const type = webjsType(content);
  const data: Record<string, unknown> = {
    id: {
      fromMe: m.fromMe,
      remote: m.chatId,
      id: m.engineId,
      ...(group ? { participant: m.author } : {}),
      _serialized: m.id,
    },
    type,
    t: m.timestamp,
    notifyName: m.pushName ?? '',
    from: m.fromMe ? m.me.id : m.chatId,
    to: m.fromMe ? m.chatId : m.me.id,
    ...(group ? { author: m.author } : {}),
    ack: m.ack,
    isNewMsg: true,
    star: false,
  };
  if (content.kind === 'text') data.body = content.body;
  if (content.media) {
    Object.assign(data, {
      mimetype: content.media.mimetype,
      size: content.media.size,
      caption: content.body,
    });
    if (content.media.filename) data.filename = content.media.filename;
  }
  if (content.location) {
    const l = content.location;
    const loc = [l.name, l.address].filter(Boolean).join('\n');
    Object.assign(data, { lat: l.latitude, lng: l.longitude, ...(loc ? { loc } : {}) });
  }
  if (type === 'vcard') data.body = content.vCards?.[0];
  if (type === 'multi_vcard') {
    data.vcardList = (content.vCards ?? []).map((vcard) => ({ displayName: vcardName(vcard), vcard }));
  }
  if (content.quoted) {
    Object.assign(data, {
      quotedMsg: { type: webjsType(content.quoted), body: content.quoted.body },
      quotedStanzaID: content.quoted.engineId,
      quotedParticipant: content.quoted.participant,
    });
  }
  return data;
}

function nowebData(m: RawEnvelope, content: RawContent, sent: boolean): Record<string, unknown> {
  const group = isGroup(m.chatId);
  const lidSender = m.authorPn !== undefined && !m.fromMe;
  return {
    key: {
      remoteJid: jid(m.chatId),
      fromMe: m.fromMe,
      id: m.engineId,
      ...(group ? { participant: jid(m.author) } : {}),
      // Baileys 7: the sender's other id, when WhatsApp addresses them by LID.
      ...(lidSender && group ? { participantAlt: jid(m.authorPn as string) } : {}),
      ...(lidSender && !group ? { remoteJidAlt: jid(m.authorPn as string) } : {}),
      ...(lidSender ? { addressingMode: 'lid' } : {}),
    },
    message: protoMessage(content, false, sent),
    messageTimestamp: m.timestamp,
    ...(m.pushName ? { pushName: m.pushName } : {}),
    broadcast: false,
  };
}

function gowsData(m: RawEnvelope, content: RawContent): Record<string, unknown> {
  const lidSender = m.authorPn !== undefined && !m.fromMe;
  const mediaType =
    content.kind === 'text' || content.kind === 'location'
      ? ''
      : content.kind === 'voice'
        ? 'ptt'
        : content.kind;
  return {
    Info: {
      Chat: jid(m.chatId),
      Sender: jid(m.fromMe ? (m.me.jid ?? m.me.id) : m.author),
      IsFromMe: m.fromMe,
      IsGroup: isGroup(m.chatId),
      AddressingMode: lidSender ? 'lid' : 'pn',
      // whatsmeow: the sender's phone-number id when the message addresses them by LID.
      ...(lidSender ? { SenderAlt: jid(m.authorPn as string) } : {}),
      ID: m.engineId,
      Type: content.kind === 'text' ? 'text' : 'media',
      PushName: m.pushName ?? '',
      Timestamp: new Date(m.timestamp * 1000).toISOString(),
      Category: '',
      Multicast: false,
      MediaType: mediaType,
      Edit: '',
    },
    Message: protoMessage(content, true),
    IsEphemeral: false,
    IsViewOnce: false,
  };
}

/** A WAMessage's `_data` for the engine. */
export function rawData(engine: SimEngineName, m: RawEnvelope, content: RawContent): Record<string, unknown> {
  if (engine === 'WEBJS') return webjsData(m, content);
  if (engine === 'NOWEB') return nowebData(m, content, m.fromMe);
  return gowsData(m, content);
}

/** The 201 answer of sendText / sendImage / sendFile / sendVoice / sendVideo. */
export function sentAnswer(
  engine: SimEngineName,
  message: WAMessage,
  m: RawEnvelope,
  content: RawContent,
): unknown {
  switch (engine) {
    case 'WEBJS':
      return {
        _data: webjsData(m, content),
        id: { fromMe: true, remote: m.chatId, id: m.engineId, _serialized: message.id },
        ack: 0,
        hasMedia: message.hasMedia,
        body: message.body,
        type: webjsType(content),
        timestamp: message.timestamp,
        from: message.from,
        to: m.chatId,
        deviceType: 'web',
        isForwarded: false,
        fromMe: true,
        hasQuotedMsg: content.quoted !== undefined,
        vCards: [],
        mentionedIds: [],
      };
    case 'NOWEB':
      return { ...nowebData(m, content, true), messageTimestamp: String(m.timestamp), status: 'PENDING' };
    default:
      return structuredClone(message);
  }
}
