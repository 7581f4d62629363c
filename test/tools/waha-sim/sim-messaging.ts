import { randomBytes } from 'node:crypto';

import {
  WAHA_ACK_NAMES,
  type ChatSummary,
  type MeInfo,
  type WahaAck,
  type WahaChat,
  type WAMessage,
  type WAMessageAckBody,
} from '../../../src/waha/waha.types.js';
import { SimControlError } from './sim-errors.js';
import type { SimChat, SimEngineName, SimSession } from './sim-session.js';

const MESSAGES_PER_SESSION = 2_000;

/** Sends a webhook event of a session (the engine's envelope and dispatch). */
export type EmitEvent = (session: SimSession, event: string, payload: unknown) => void;

/**
 * The chats and messages of simulated sessions: sends, inbound messages, acks, and each engine's
 * own shapes of them in WAHA's answers.
 */
export class SimMessaging {
  private readonly unregisteredNumbers = new Set<string>();
  private sequence = 0;

  constructor(
    private readonly engine: SimEngineName,
    private readonly emit: EmitEvent,
  ) {}

  sendText(
    session: SimSession,
    chatId: string,
    text: string,
    replyTo?: string,
  ): { message: WAMessage; raw: unknown } {
    const me = session.me as MeInfo;
    const engineId = this.newEngineMessageId();
    const message: WAMessage = {
      id: `true_${chatId}_${engineId}`,
      timestamp: nowSeconds(),
      from: me.id,
      fromMe: true,
      source: 'api',
      to: chatId,
      body: text,
      hasMedia: false,
      ack: 0,
      ackName: WAHA_ACK_NAMES[0],
    };
    const stored = this.store(session, chatId, message, null, false);
    this.emit(session, 'message.any', message);
    return { message: stored, raw: this.sentShape(message, engineId, chatId, text, replyTo) };
  }

  inbound(
    session: SimSession,
    input: { from: string; body: string; pushName?: string; id?: string },
  ): WAMessage {
    if (session.status !== 'WORKING') {
      throw new SimControlError(
        409,
        `session ${session.name} is ${session.status}; inbound messages need WORKING`,
      );
    }
    const me = session.me as MeInfo;
    const message: WAMessage = {
      id: `false_${input.from}_${input.id ?? this.newEngineMessageId()}`,
      timestamp: nowSeconds(),
      from: input.from,
      fromMe: false,
      source: 'app',
      to: me.id,
      body: input.body,
      hasMedia: false,
      ack: 1,
      ackName: WAHA_ACK_NAMES[1],
    };
    this.store(session, input.from, message, input.pushName ?? null, true);
    this.emit(session, 'message', message);
    this.emit(session, 'message.any', message);
    return message;
  }

  ack(session: SimSession, messageId: string, ack: WahaAck): WAMessageAckBody {
    const message = this.findMessage(session, messageId);
    if (!message) throw new SimControlError(404, `no message ${messageId} in session ${session.name}`);
    message.ack = ack;
    message.ackName = WAHA_ACK_NAMES[ack];
    const body: WAMessageAckBody = {
      id: message.id,
      from: message.from,
      to: message.to,
      fromMe: message.fromMe,
      ack,
      ackName: WAHA_ACK_NAMES[ack],
    };
    this.emit(session, 'message.ack', body);
    return body;
  }

  markSeen(session: SimSession, chatId: string): void {
    const chat = session.chats.get(chatId);
    if (chat) chat.unreadCount = 0;
  }

  setNumberExists(phone: string, exists: boolean): void {
    if (exists) this.unregisteredNumbers.delete(phone);
    else this.unregisteredNumbers.add(phone);
  }

  numberExists(phone: string): boolean {
    return !this.unregisteredNumbers.has(phone);
  }

  chats(session: SimSession, sortOrder: 'asc' | 'desc'): WahaChat[] {
    const chats = [...session.chats.values()].sort(
      (a, b) => compareLast(a, b) * (sortOrder === 'asc' ? 1 : -1),
    );
    return chats.map((chat) => this.chatShape(chat));
  }

  overview(session: SimSession, ids: string[] | null): ChatSummary[] {
    return [...session.chats.values()]
      .filter((chat) => !ids || ids.includes(chat.id))
      .sort((a, b) => -compareLast(a, b))
      .map((chat) => ({
        id: chat.id,
        name: chat.name,
        picture: null,
        lastMessage: { ...(chat.messages[chat.messages.length - 1] as WAMessage) },
        _chat: this.chatShape(chat),
      }));
  }

  messages(session: SimSession, chatId: string): WAMessage[] {
    return session.chats.get(chatId)?.messages.map((m) => ({ ...m })) ?? [];
  }

  /** Every number counts as on WhatsApp again. */
  clearNumbers(): void {
    this.unregisteredNumbers.clear();
  }

  private store(
    session: SimSession,
    chatId: string,
    message: WAMessage,
    name: string | null,
    unread: boolean,
  ): WAMessage {
    let chat = session.chats.get(chatId);
    if (!chat) {
      chat = { id: chatId, name, unreadCount: 0, messages: [] };
      session.chats.set(chatId, chat);
    }
    if (name && !chat.name) chat.name = name;
    if (unread) chat.unreadCount++;
    (message as WAMessage & { [SEQ]?: number })[SEQ] = ++this.sequence;
    chat.messages.push(message);
    if (chat.messages.length > MESSAGES_PER_SESSION) chat.messages.shift();
    session.activity = Date.now();
    return message;
  }

  private findMessage(session: SimSession, messageId: string): WAMessage | undefined {
    for (const chat of session.chats.values()) {
      const found = chat.messages.find((m) => m.id === messageId);
      if (found) return found;
    }
    return undefined;
  }

  private newEngineMessageId(): string {
    const hex = randomBytes(10).toString('hex').toUpperCase();
    return this.engine === 'NOWEB' ? `BAE5${hex.slice(0, 12)}` : `3EB0${hex.slice(0, 16)}`;
  }

  /** `sendText`'s 201 body: each engine answers with its own message object. */
  private sentShape(
    message: WAMessage,
    engineId: string,
    chatId: string,
    text: string,
    replyTo?: string,
  ): unknown {
    switch (this.engine) {
      case 'WEBJS':
        return {
          _data: { id: { fromMe: true, remote: chatId, id: engineId, _serialized: message.id }, body: text },
          id: { fromMe: true, remote: chatId, id: engineId, _serialized: message.id },
          ack: 0,
          hasMedia: false,
          body: text,
          type: 'chat',
          timestamp: message.timestamp,
          from: message.from,
          to: chatId,
          deviceType: 'web',
          isForwarded: false,
          fromMe: true,
          hasQuotedMsg: replyTo !== undefined,
          vCards: [],
          mentionedIds: [],
        };
      case 'NOWEB':
        return {
          key: { remoteJid: chatId.replace(/@c\.us$/, '@s.whatsapp.net'), fromMe: true, id: engineId },
          message: { extendedTextMessage: { text } },
          messageTimestamp: String(message.timestamp),
          status: 'PENDING',
        };
      default:
        return { ...message };
    }
  }

  private chatShape(chat: SimChat): WahaChat {
    const last = chat.messages[chat.messages.length - 1];
    const timestamp = last?.timestamp ?? 0;
    if (this.engine === 'WEBJS') {
      const [user = '', server = ''] = chat.id.split('@');
      return {
        id: { server, user, _serialized: chat.id },
        name: chat.name ?? user,
        isGroup: server === 'g.us',
        unreadCount: chat.unreadCount,
        timestamp,
        archived: false,
        pinned: false,
        isMuted: false,
      } as WahaChat;
    }
    return { id: chat.id, name: chat.name, conversationTimestamp: timestamp, unreadCount: chat.unreadCount };
  }
}

const SEQ = Symbol('seq');

function seqOf(message: WAMessage | undefined): number {
  return (message as (WAMessage & { [SEQ]?: number }) | undefined)?.[SEQ] ?? 0;
}

function compareLast(a: SimChat, b: SimChat): number {
  return seqOf(a.messages[a.messages.length - 1]) - seqOf(b.messages[b.messages.length - 1]);
}

export function messageSeq(message: WAMessage): number {
  return seqOf(message);
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
