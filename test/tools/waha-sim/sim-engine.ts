import { randomBytes, randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';

import { ulid } from 'ulid';

import {
  WAHA_ACK_NAMES,
  type ChatSummary,
  type MeInfo,
  type SessionConfig,
  type SessionDTO,
  type SessionInfo,
  type SessionStatusPoint,
  type WAHAEnvironment,
  type WahaAck,
  type WahaChat,
  type WahaSessionStatus,
  type WAMessage,
  type WAMessageAckBody,
} from '../../../src/waha/waha.types.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

export type SimEngineName = 'WEBJS' | 'NOWEB' | 'GOWS';

/** WAHA's clock, in real milliseconds; the simulator multiplies each by its time scale. */
export const WAHA_CLOCK = {
  /** STARTING lasts this long before SCAN_QR_CODE (or WORKING for a linked session). */
  startingMs: 2_000,
  /** The first QR lives 60 s… */
  firstQrMs: 60_000,
  /** …each later one 20 s… */
  nextQrMs: 20_000,
  /** …6 in all, then the session FAILS. */
  qrCount: 6,
  /** WAHA waits up to 5 s for the needed status before answering 422. */
  statusWaitMs: 5_000,
} as const;

export const WAHA_VERSION = '2026.7.1';
const STATUS_HISTORY = 10;
const MESSAGES_PER_SESSION = 2_000;

/** An error WAHA would answer with: HTTP status plus WAHA's exact body. */
export class WahaHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === 'string' ? body.message : String(body.error ?? status));
  }

  static notFound(message = 'Session not found'): WahaHttpError {
    return new WahaHttpError(404, { message, error: 'Not Found', statusCode: 404 });
  }

  static unprocessable(message: string): WahaHttpError {
    return new WahaHttpError(422, { message, error: 'Unprocessable Entity', statusCode: 422 });
  }

  static badRequest(messages: string[]): WahaHttpError {
    return new WahaHttpError(400, { message: messages, error: 'Bad Request', statusCode: 400 });
  }

  static wrongStatus(
    session: string,
    status: WahaSessionStatus,
    expected: WahaSessionStatus[],
  ): WahaHttpError {
    return new WahaHttpError(422, {
      error: 'Session status is not as expected. Try again later or restart the session',
      session,
      status,
      expected,
    });
  }
}

/** A misuse of the control API (not a WAHA answer): 409 with a plain message. */
export class SimControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface SimChat {
  id: string;
  name: string | null;
  unreadCount: number;
  messages: WAMessage[];
}

export interface SimSession {
  name: string;
  status: WahaSessionStatus;
  config: SessionConfig | undefined;
  /** The account, once the phone has linked (kept across stop/restart until logout). */
  me: MeInfo | null;
  qr: { value: string; index: number; issuedAt: number; expiresAt: number } | null;
  /** When the last QR of the current window expires and the session fails. */
  qrWindowEndsAt: number | null;
  pairingCode: { code: string; phoneNumber: string; expiresAt: number } | null;
  failureReason: string | null;
  statuses: SessionStatusPoint[];
  activity: number | null;
  typing: Set<string>;
  chats: Map<string, SimChat>;
  timer: NodeJS.Timeout | null;
}

/** What the control API shows of a session (`GET /__sim/sessions/:name`). */
export interface SimSessionState {
  name: string;
  status: WahaSessionStatus;
  linked: boolean;
  me: MeInfo | null;
  config: SessionConfig | null;
  qr: { value: string; index: number; of: number; issuedAt: number; expiresAt: number } | null;
  pairingCode: { code: string; phoneNumber: string; expiresAt: number } | null;
  failureReason: string | null;
  statuses: SessionStatusPoint[];
  typing: string[];
  chats: { id: string; name: string | null; unreadCount: number; messages: number }[];
}

export interface SimEngineOptions {
  engine: SimEngineName;
  timeScale: number;
}

/**
 * The state of a simulated WAHA: sessions, their status machine on WAHA's clock, and
 * their chats and messages. HTTP lives in waha-simulator.ts; this class knows nothing of it.
 */
export class SimEngine {
  readonly events = new EventEmitter();
  readonly dispatcher: WebhookDispatcher;
  readonly startedAt = Date.now();
  private readonly sessions = new Map<string, SimSession>();
  private readonly unregisteredNumbers = new Set<string>();
  private duplicatesLeft = 0;
  private sequence = 0;

  constructor(readonly options: SimEngineOptions) {
    this.events.setMaxListeners(0);
    this.dispatcher = new WebhookDispatcher({
      timeScale: options.timeScale,
      takeDuplicate: () => {
        if (this.duplicatesLeft <= 0) return false;
        this.duplicatesLeft--;
        return true;
      },
    });
  }

  get environment(): WAHAEnvironment {
    return {
      version: WAHA_VERSION,
      engine: this.options.engine,
      tier: 'PLUS',
      browser: this.options.engine === 'WEBJS' ? '/usr/bin/chromium' : '',
      platform: `${process.platform}/${process.arch}`,
      worker: { id: 'waha-sim' },
    };
  }

  // ------------------------------------------------------------ lifecycle

  has(name: string): boolean {
    return this.sessions.has(name);
  }

  get(name: string): SimSession {
    const session = this.sessions.get(name);
    if (!session) throw WahaHttpError.notFound();
    return session;
  }

  list(all: boolean): SimSession[] {
    return [...this.sessions.values()].filter((s) => all || s.status !== 'STOPPED');
  }

  create(name: string, config: SessionConfig | undefined, start: boolean): SimSession {
    if (this.sessions.has(name)) {
      throw WahaHttpError.unprocessable(`Session '${name}' already exists. Use PUT to update it.`);
    }
    const session: SimSession = {
      name,
      status: 'STOPPED',
      config,
      me: null,
      qr: null,
      qrWindowEndsAt: null,
      pairingCode: null,
      failureReason: null,
      statuses: [{ status: 'STOPPED', timestamp: Date.now() }],
      activity: null,
      typing: new Set(),
      chats: new Map(),
      timer: null,
    };
    this.sessions.set(name, session);
    if (start) this.start(session);
    return session;
  }

  update(session: SimSession, config: SessionConfig | undefined): void {
    const wasRunning = session.status !== 'STOPPED';
    if (wasRunning) this.stop(session);
    session.config = config;
    if (wasRunning) this.start(session);
  }

  /** WAHA's start is idempotent: a session that runs (even FAILED) is left alone. */
  start(session: SimSession): void {
    if (session.status !== 'STOPPED') return;
    this.boot(session);
  }

  stop(session: SimSession): void {
    this.clearTimer(session);
    this.clearPairing(session);
    session.typing.clear();
    if (session.status !== 'STOPPED') this.setStatus(session, 'STOPPED');
  }

  restart(session: SimSession): void {
    this.stop(session);
    this.boot(session);
  }

  logout(session: SimSession): void {
    const wasRunning = session.status !== 'STOPPED';
    this.stop(session);
    session.me = null;
    session.chats.clear();
    if (wasRunning) this.boot(session);
  }

  delete(name: string): void {
    const session = this.sessions.get(name);
    if (!session) return; // WAHA: idempotent
    this.stop(session);
    this.sessions.delete(name);
    this.events.emit('deleted', name);
  }

  /** The phone scanned the QR or entered the pairing code. */
  link(session: SimSession, me?: Partial<MeInfo>): void {
    if (session.status !== 'SCAN_QR_CODE') {
      throw new SimControlError(
        409,
        `session ${session.name} is ${session.status}; linking needs SCAN_QR_CODE`,
      );
    }
    const digits = me?.id?.replace(/@.*$/, '') ?? `1555${String(randomInt(1_000_000, 9_999_999))}`;
    session.me = {
      id: me?.id ?? `${digits}@c.us`,
      pushName: me?.pushName ?? 'Simulated Phone',
      ...(me?.lid ? { lid: me.lid } : {}),
      jid: me?.jid ?? `${digits}:${randomInt(1, 40)}@s.whatsapp.net`,
    };
    this.clearTimer(session);
    this.clearPairing(session);
    this.setStatus(session, 'WORKING');
  }

  /** The connection dropped (WAHA reconnects), or the phone removed the device (`loggedOut`). */
  disconnect(session: SimSession, loggedOut: boolean): void {
    if (session.status !== 'WORKING') {
      throw new SimControlError(
        409,
        `session ${session.name} is ${session.status}; disconnecting needs WORKING`,
      );
    }
    this.clearTimer(session);
    if (loggedOut) {
      session.me = null;
      session.chats.clear();
    }
    this.boot(session);
  }

  fail(session: SimSession, reason: string): void {
    this.clearTimer(session);
    this.clearPairing(session);
    session.failureReason = reason;
    this.setStatus(session, 'FAILED');
  }

  /** Resolves true once the session is in one of `expected`, false after `timeoutMs` or deletion. */
  waitForStatus(name: string, expected: readonly WahaSessionStatus[], timeoutMs: number): Promise<boolean> {
    const current = this.sessions.get(name);
    if (!current) return Promise.resolve(false);
    if (expected.includes(current.status)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.events.off('status', onStatus);
        this.events.off('deleted', onDeleted);
        resolve(result);
      };
      const onStatus = (session: string, status: WahaSessionStatus) => {
        if (session === name && expected.includes(status)) done(true);
      };
      const onDeleted = (session: string) => {
        if (session === name) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.events.on('status', onStatus);
      this.events.on('deleted', onDeleted);
    });
  }

  /** WAHA's guard: wait (scaled) for the status, else 422 `{error, session, status, expected}`. */
  async requireStatus(name: string, expected: WahaSessionStatus[]): Promise<SimSession> {
    const session = this.get(name);
    const ok = await this.waitForStatus(name, expected, WAHA_CLOCK.statusWaitMs * this.options.timeScale);
    const now = this.get(name);
    if (!ok) throw WahaHttpError.wrongStatus(name, now.status, expected);
    return session;
  }

  // ------------------------------------------------------------ pairing

  requestCode(session: SimSession, phoneNumber: string): string {
    const letters = 'ABCDEFGHJKLMNPQRSTVWXYZ';
    const pick = () => Array.from({ length: 4 }, () => letters[randomInt(letters.length)]).join('');
    const code = `${pick()}-${pick()}`;
    session.pairingCode = { code, phoneNumber, expiresAt: session.qrWindowEndsAt ?? Date.now() };
    return code;
  }

  // ------------------------------------------------------------ messages

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

  // ------------------------------------------------------------ control

  duplicateNextWebhooks(count: number): void {
    this.duplicatesLeft = count;
  }

  state(session: SimSession): SimSessionState {
    return {
      name: session.name,
      status: session.status,
      linked: session.me !== null,
      me: session.me,
      config: session.config ?? null,
      qr: session.qr ? { ...session.qr, of: WAHA_CLOCK.qrCount } : null,
      pairingCode: session.pairingCode,
      failureReason: session.failureReason,
      statuses: [...session.statuses],
      typing: [...session.typing],
      chats: [...session.chats.values()].map((c) => ({
        id: c.id,
        name: c.name,
        unreadCount: c.unreadCount,
        messages: c.messages.length,
      })),
    };
  }

  setTyping(session: SimSession, chatId: string, typing: boolean): void {
    if (typing) session.typing.add(chatId);
    else session.typing.delete(chatId);
  }

  reset(): void {
    for (const name of [...this.sessions.keys()]) this.delete(name);
    this.unregisteredNumbers.clear();
    this.duplicatesLeft = 0;
    this.dispatcher.clearLog();
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) this.clearTimer(session);
    await this.dispatcher.close();
  }

  // ------------------------------------------------------------ DTOs

  dto(session: SimSession): SessionDTO {
    return {
      name: session.name,
      status: session.status,
      ...(session.config ? { config: session.config } : {}),
    };
  }

  info(session: SimSession): SessionInfo {
    return {
      name: session.name,
      status: session.status,
      ...(session.config ? { config: session.config } : {}),
      ...(session.me ? { me: session.me } : {}),
      assignedWorker: 'waha-sim',
      presence: {},
      timestamps: { activity: session.activity },
    };
  }

  // ------------------------------------------------------------ internals

  private boot(session: SimSession): void {
    session.failureReason = null;
    this.setStatus(session, 'STARTING');
    this.schedule(session, WAHA_CLOCK.startingMs, () => {
      if (session.me) this.setStatus(session, 'WORKING');
      else this.beginQrWindow(session);
    });
  }

  /** A WAHA duration in real milliseconds: scaled, whole (a client on the same scale computes the same). */
  private scaled(wahaMs: number): number {
    return Math.round(wahaMs * this.options.timeScale);
  }

  private beginQrWindow(session: SimSession): void {
    const startedAt = Date.now();
    session.qrWindowEndsAt =
      startedAt +
      this.scaled(WAHA_CLOCK.firstQrMs) +
      (WAHA_CLOCK.qrCount - 1) * this.scaled(WAHA_CLOCK.nextQrMs);
    this.nextQr(session, 1, startedAt);
  }

  /**
   * QR `index` of the window, issued at `issuedAt`: the previous one's expiry, so the series keeps
   * to its schedule however late a timer fires, and each QR expires the moment the next is issued.
   */
  private nextQr(session: SimSession, index: number, issuedAt: number): void {
    const lifetime = this.scaled(index === 1 ? WAHA_CLOCK.firstQrMs : WAHA_CLOCK.nextQrMs);
    const expiresAt = issuedAt + lifetime;
    session.qr = {
      value: `2@${token(48)},${token(32)},${token(32)},${token(16)}`,
      index,
      issuedAt,
      expiresAt,
    };
    // Every QR, the first and each rotation, is a session.status event with SCAN_QR_CODE.
    this.setStatus(session, 'SCAN_QR_CODE', true, issuedAt);
    this.scheduleAt(session, expiresAt, () => {
      if (index < WAHA_CLOCK.qrCount) this.nextQr(session, index + 1, expiresAt);
      else this.fail(session, 'QR code was not scanned in time (6 QR codes expired)');
    });
  }

  /** `at`: when it happened on WAHA's clock, the event's timestamp (default: now). */
  private setStatus(session: SimSession, status: WahaSessionStatus, force = false, at = Date.now()): void {
    if (session.status === status && !force) return;
    session.status = status;
    if (status !== 'SCAN_QR_CODE') {
      session.qr = null;
      session.qrWindowEndsAt = null;
    }
    session.activity = at;
    session.statuses.push({ status, timestamp: at });
    if (session.statuses.length > STATUS_HISTORY) session.statuses.shift();
    this.emit(
      session,
      'session.status',
      {
        name: session.name,
        status,
        statuses: [...session.statuses],
      },
      at,
    );
    this.events.emit('status', session.name, status);
  }

  private emit(session: SimSession, event: string, payload: unknown, at = Date.now()): void {
    const envelope = {
      id: `evt_${ulid().toLowerCase()}`,
      timestamp: at,
      event,
      session: session.name,
      ...(session.config?.metadata ? { metadata: session.config.metadata } : {}),
      ...(session.me ? { me: session.me } : {}),
      payload,
      engine: this.options.engine,
      environment: this.environment,
    };
    this.events.emit('webhook', envelope);
    this.dispatcher.dispatch(session.config?.webhooks, envelope);
  }

  private schedule(session: SimSession, wahaMs: number, fn: () => void): void {
    this.scheduleAt(session, Date.now() + this.scaled(wahaMs), fn);
  }

  private scheduleAt(session: SimSession, at: number, fn: () => void): void {
    this.clearTimer(session);
    session.timer = setTimeout(
      () => {
        session.timer = null;
        fn();
      },
      Math.max(0, at - Date.now()),
    );
    session.timer.unref();
  }

  private clearTimer(session: SimSession): void {
    if (session.timer) clearTimeout(session.timer);
    session.timer = null;
  }

  private clearPairing(session: SimSession): void {
    session.pairingCode = null;
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
    return this.options.engine === 'NOWEB' ? `BAE5${hex.slice(0, 12)}` : `3EB0${hex.slice(0, 16)}`;
  }

  /** `sendText`'s 201 body: each engine answers with its own message object. */
  private sentShape(
    message: WAMessage,
    engineId: string,
    chatId: string,
    text: string,
    replyTo?: string,
  ): unknown {
    switch (this.options.engine) {
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
    if (this.options.engine === 'WEBJS') {
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

function token(length: number): string {
  return randomBytes(length).toString('base64').slice(0, length);
}
