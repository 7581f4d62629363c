import {
  WAHA_ACK_NAMES,
  type ChatSummary,
  type MeInfo,
  type WahaAck,
  type WahaChat,
  type WAMessage,
  type WAMessageAckBody,
} from '../../../src/waha/waha.types.js';
import { type ComposeContext, type ComposeInput, composeMessage, type MessageMeta } from './sim-compose.js';
import { SimControlError } from './sim-errors.js';
import type { SimFileStore } from './sim-media.js';
import { type RawContent, sentAnswer } from './sim-raw.js';
import type { SimChat, SimEngineName, SimSession } from './sim-session.js';

const MESSAGES_PER_SESSION = 2_000;

/** Sends a webhook event of a session (the engine's envelope and dispatch). */
export type EmitEvent = (session: SimSession, event: string, payload: unknown) => void;

/** A stored message with its chat and what the simulator knows of it. */
export interface FoundMessage {
  message: WAMessage;
  chat: SimChat;
  meta: MessageMeta;
}

/**
 * The chats and messages of simulated sessions: sends, inbound messages, acks, and each engine's
 * own shapes of them in WAHA's answers.
 */
export class SimMessaging {
  private readonly unregisteredNumbers = new Set<string>();
  private readonly metas = new WeakMap<WAMessage, MessageMeta>();
  private readonly compose: ComposeContext;
  private sequence = 0;

  constructor(
    readonly engine: SimEngineName,
    readonly emit: EmitEvent,
    readonly files: SimFileStore,
    baseUrl: () => string,
  ) {
    this.compose = { engine, files, baseUrl };
  }

  /**
   * A message sent through WAHA's API: stored with ack PENDING, `message.any` (fromMe, source
   * api); answers the stored WAMessage and the engine's own object (the send endpoints' 201).
   */
  send(
    session: SimSession,
    chatId: string,
    content: RawContent,
    options: { replyTo?: string; bytes?: Buffer } = {},
  ): { message: WAMessage; raw: unknown } {
    const me = session.me as MeInfo;
    const replyTo = options.replyTo ? this.find(session, options.replyTo) : undefined;
    const { message, meta } = composeMessage(this.compose, session, {
      chatId,
      fromMe: true,
      author: me.id,
      pushName: me.pushName ?? null,
      source: 'api',
      ack: 0,
      content,
      ...(options.bytes ? { file: { bytes: options.bytes } } : {}),
      ...(replyTo ? { replyTo } : {}),
    });
    this.store(session, chatId, message, meta, null, false);
    this.emit(session, 'message.any', message);
    return { message, raw: sentAnswer(this.engine, message, meta.envelope, meta.content) };
  }

  /**
   * A message from someone else arrives: stored as unread, `message` and `message.any`; with
   * `silent`, stored only (WAHA #2250: no webhook ever announces it).
   */
  deliver(
    session: SimSession,
    input: ComposeInput,
    chatName: string | null,
    options: { silent?: boolean } = {},
  ): WAMessage {
    const { message, meta } = composeMessage(this.compose, session, input);
    this.store(session, input.chatId, message, meta, chatName, true);
    if (!options.silent) {
      this.emit(session, 'message', message);
      this.emit(session, 'message.any', message);
    }
    return message;
  }

  ack(session: SimSession, messageId: string, ack: WahaAck): WAMessageAckBody {
    const { message } = this.require(session, messageId);
    message.ack = ack;
    message.ackName = WAHA_ACK_NAMES[ack];
    const body: WAMessageAckBody = {
      id: message.id,
      from: message.from,
      to: message.to,
      ...(message.participant ? { participant: message.participant } : {}),
      fromMe: message.fromMe,
      ack,
      ackName: WAHA_ACK_NAMES[ack],
    };
    this.emit(session, 'message.ack', body);
    return body;
  }

  find(session: SimSession, messageId: string): FoundMessage | undefined {
    for (const chat of session.chats.values()) {
      const message = chat.messages.find((m) => m.id === messageId);
      const meta = message && this.metas.get(message);
      if (message && meta) return { message, chat, meta };
    }
    return undefined;
  }

  require(session: SimSession, messageId: string): FoundMessage {
    const found = this.find(session, messageId);
    if (!found) throw new SimControlError(404, `no message ${messageId} in session ${session.name}`);
    return found;
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
    meta: MessageMeta,
    name: string | null,
    unread: boolean,
  ): void {
    let chat = session.chats.get(chatId);
    if (!chat) {
      chat = { id: chatId, name, unreadCount: 0, messages: [] };
      session.chats.set(chatId, chat);
    }
    if (name && !chat.name) chat.name = name;
    if (unread) chat.unreadCount++;
    (message as WAMessage & { [SEQ]?: number })[SEQ] = ++this.sequence;
    this.metas.set(message, meta);
    chat.messages.push(message);
    if (chat.messages.length > MESSAGES_PER_SESSION) chat.messages.shift();
    session.activity = Date.now();
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
