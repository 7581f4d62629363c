import got, { type Got, type Method } from 'got';

import { DomainError } from '../common/domain-error.js';
import { toWahaError } from './waha.errors.js';
import type {
  Base64File,
  ChatSummary,
  MeInfo,
  PingResponse,
  QRCodeValue,
  RequestCodeResponse,
  SendTextResponse,
  ServerStatusResponse,
  SessionConfig,
  SessionDTO,
  SessionInfo,
  WAHAEnvironment,
  WahaAckName,
  WahaChat,
  WAMessage,
  WANumberExistResult,
} from './waha.types.js';
import {
  assertChatId,
  assertMessageId,
  assertPaging,
  assertPhoneNumber,
  assertSessionName,
  assertText,
} from './waha.validation.js';

export interface WahaClientOptions {
  /** WAHA's base URL, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Sent as `X-Api-Key` on every call. */
  apiKey?: string;
  /** Whole-request timeout per attempt (got has none by default). Default 10 s. */
  timeoutMs?: number;
  /** Retries for calls that are safe to repeat (reads and idempotent session calls). Default 2. */
  retries?: number;
  /** First retry delay, doubled per retry, capped at 2 s. Default 200 ms. */
  retryDelayMs?: number;
}

export interface CreateSessionInput {
  name: string;
  config?: SessionConfig;
  /** Default true: WAHA's code defaults to false, although its spec says true. */
  start?: boolean;
}

export interface SendTextInput {
  session: string;
  chatId: string;
  text: string;
  replyTo?: string;
  linkPreview?: boolean;
}

export interface SendTextResult {
  /** The WAHA message id (`true_<chatId>_<id>`), whatever the engine answered. */
  id: string;
  /** The engine's own answer, unchanged. */
  raw: SendTextResponse;
}

export interface PageInput {
  limit?: number;
  offset?: number;
}

export interface ChatMessagesInput extends PageInput {
  sortOrder?: 'asc' | 'desc';
  fromMe?: boolean;
  ack?: WahaAckName;
  timestampGte?: number;
  timestampLte?: number;
}

interface CallOptions {
  operation: string;
  method: Method;
  path: string;
  session?: string;
  json?: unknown;
  searchParams?: URLSearchParams;
  /** Only calls that change nothing when repeated may be retried. */
  idempotent: boolean;
  accept?: string;
}

/** Status codes worth a retry on an idempotent call: WAHA restarting or overloaded. */
const RETRY_STATUS_CODES = [429, 500, 502, 503, 504];

/**
 * The one typed client for WAHA. Plain class (no Nest needed); every failure is a
 * DomainError (see waha.errors.ts), every input that reaches WAHA is checked first with
 * WAHA's own rules (waha.validation.ts).
 */
export class WahaClient {
  private readonly http: Got;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(options: WahaClientOptions) {
    if (!options.baseUrl) throw DomainError.badInput('baseUrl', 'WAHA baseUrl is required');
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    const headers: Record<string, string> = {};
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    this.http = got.extend({
      prefixUrl: options.baseUrl.replace(/\/+$/, ''),
      headers,
      timeout: { request: options.timeoutMs ?? 10_000 },
      throwHttpErrors: true,
      followRedirect: false,
    });
  }

  // ---------------------------------------------------------------- sessions

  /** `POST /api/sessions` → 201 SessionDTO; 422 if the name is taken. */
  async createSession(input: CreateSessionInput): Promise<SessionDTO> {
    const name = assertSessionName(input.name, 'name');
    // Trap: WAHA's spec says `start` defaults to true, its code defaults to false. Always send it.
    const json: Record<string, unknown> = { name, start: input.start ?? true };
    if (input.config) json.config = input.config;
    return this.call<SessionDTO>({
      operation: 'createSession',
      method: 'POST',
      path: 'api/sessions',
      session: name,
      json,
      idempotent: false,
    });
  }

  /** `GET /api/sessions/{session}` → SessionInfo; 404 when missing. */
  async getSession(session: string): Promise<SessionInfo> {
    const name = assertSessionName(session);
    return this.call<SessionInfo>({
      operation: 'getSession',
      method: 'GET',
      path: `api/sessions/${name}`,
      session: name,
      idempotent: true,
    });
  }

  /** `GET /api/sessions?all=true`: every session, STOPPED ones included. */
  async listSessions(options: { all?: boolean } = {}): Promise<SessionInfo[]> {
    const searchParams = new URLSearchParams();
    if (options.all ?? true) searchParams.set('all', 'true');
    return this.call<SessionInfo[]>({
      operation: 'listSessions',
      method: 'GET',
      path: 'api/sessions',
      searchParams,
      idempotent: true,
    });
  }

  /** `PUT /api/sessions/{session}`: replaces the config; WAHA restarts a running session. */
  async updateSession(session: string, config: SessionConfig): Promise<SessionDTO> {
    const name = assertSessionName(session);
    return this.call<SessionDTO>({
      operation: 'updateSession',
      method: 'PUT',
      path: `api/sessions/${name}`,
      session: name,
      json: { config },
      idempotent: true,
    });
  }

  /** `DELETE /api/sessions/{session}`: stop, log out and delete. Idempotent in WAHA. */
  async deleteSession(session: string): Promise<void> {
    const name = assertSessionName(session);
    await this.call<unknown>({
      operation: 'deleteSession',
      method: 'DELETE',
      path: `api/sessions/${name}`,
      session: name,
      idempotent: true,
    });
  }

  /** `POST /api/sessions/{session}/start`. Idempotent: a running session is left alone. */
  async startSession(session: string): Promise<SessionDTO> {
    return this.sessionAction(session, 'start', true);
  }

  /** `POST /api/sessions/{session}/stop`. Idempotent. */
  async stopSession(session: string): Promise<SessionDTO> {
    return this.sessionAction(session, 'stop', true);
  }

  /** `POST /api/sessions/{session}/restart`: the way to a fresh QR after FAILED. */
  async restartSession(session: string): Promise<SessionDTO> {
    return this.sessionAction(session, 'restart', false);
  }

  /** `POST /api/sessions/{session}/logout`: unlinks the phone; restarts a running session. */
  async logoutSession(session: string): Promise<SessionDTO> {
    return this.sessionAction(session, 'logout', false);
  }

  /** `GET /api/sessions/{session}/me`: the linked account, or null before linking. */
  async getMe(session: string): Promise<MeInfo | null> {
    const name = assertSessionName(session);
    const me = await this.call<MeInfo | null | undefined>({
      operation: 'getMe',
      method: 'GET',
      path: `api/sessions/${name}/me`,
      session: name,
      idempotent: true,
    });
    return me ?? null;
  }

  // ---------------------------------------------------------------- pairing

  /** `GET /api/{session}/auth/qr?format=raw` → the QR's text, to render ourselves. */
  async getQrValue(session: string): Promise<string> {
    const name = assertSessionName(session);
    const body = await this.call<QRCodeValue>({
      operation: 'getQrValue',
      method: 'GET',
      path: `api/${name}/auth/qr`,
      session: name,
      searchParams: new URLSearchParams({ format: 'raw' }),
      // Trap: WAHA picks JSON or PNG from Accept; only exactly `application/json` gives JSON.
      accept: 'application/json',
      idempotent: true,
    });
    return body.value;
  }

  /** `GET /api/{session}/auth/qr?format=image` with `Accept: application/json` → base64 PNG. */
  async getQrBase64(session: string): Promise<Base64File> {
    const name = assertSessionName(session);
    return this.call<Base64File>({
      operation: 'getQrBase64',
      method: 'GET',
      path: `api/${name}/auth/qr`,
      session: name,
      searchParams: new URLSearchParams({ format: 'image' }),
      accept: 'application/json',
      idempotent: true,
    });
  }

  /** `GET /api/{session}/auth/qr?format=image` with `Accept: image/png` → PNG bytes. */
  async getQrPng(session: string): Promise<Buffer> {
    const name = assertSessionName(session);
    try {
      const bytes = await this.http('api/' + name + '/auth/qr', {
        method: 'GET',
        searchParams: new URLSearchParams({ format: 'image' }),
        headers: { accept: 'image/png' },
        retry: this.retryOptions('GET', true),
        responseType: 'buffer',
      }).buffer();
      return Buffer.from(bytes);
    } catch (error) {
      throw toWahaError(error, { operation: 'getQrPng', session: name });
    }
  }

  /**
   * `POST /api/{session}/auth/request-code` → the pairing code (`ABCD-EFGH`). Legal only in
   * SCAN_QR_CODE; WAHA answers 422 otherwise.
   */
  async requestPairingCode(session: string, phoneNumber: string): Promise<string> {
    const name = assertSessionName(session);
    const phone = assertPhoneNumber(phoneNumber);
    const body = await this.call<RequestCodeResponse>({
      operation: 'requestPairingCode',
      method: 'POST',
      path: `api/${name}/auth/request-code`,
      session: name,
      json: { phoneNumber: phone },
      idempotent: false,
    });
    return body.code;
  }

  // ---------------------------------------------------------------- chatting

  /** `POST /api/sendText` → 201; needs WORKING (422 otherwise). Never retried: it would send twice. */
  async sendText(input: SendTextInput): Promise<SendTextResult> {
    const session = assertSessionName(input.session);
    const chatId = assertChatId(input.chatId);
    const text = assertText(input.text);
    const json: Record<string, unknown> = { session, chatId, text };
    if (input.replyTo !== undefined) json.reply_to = assertMessageId(input.replyTo, 'replyTo');
    if (input.linkPreview !== undefined) json.linkPreview = input.linkPreview;
    const raw = await this.call<SendTextResponse>({
      operation: 'sendText',
      method: 'POST',
      path: 'api/sendText',
      session,
      json,
      idempotent: false,
    });
    return { id: sentMessageId(raw), raw };
  }

  /** `POST /api/sendSeen`: marks the chat (or the given messages) read. */
  async sendSeen(input: { session: string; chatId: string; messageIds?: string[] }): Promise<void> {
    const session = assertSessionName(input.session);
    const chatId = assertChatId(input.chatId);
    const json: Record<string, unknown> = { session, chatId };
    if (input.messageIds) json.messageIds = input.messageIds.map((id) => assertMessageId(id, 'messageIds'));
    await this.call<unknown>({
      operation: 'sendSeen',
      method: 'POST',
      path: 'api/sendSeen',
      session,
      json,
      idempotent: true,
    });
  }

  /** `POST /api/startTyping` */
  async startTyping(input: { session: string; chatId: string }): Promise<void> {
    return this.typing('startTyping', input);
  }

  /** `POST /api/stopTyping` */
  async stopTyping(input: { session: string; chatId: string }): Promise<void> {
    return this.typing('stopTyping', input);
  }

  /** `GET /api/contacts/check-exists?phone=&session=` */
  async checkNumberExists(session: string, phone: string): Promise<WANumberExistResult> {
    const name = assertSessionName(session);
    const digits = assertPhoneNumber(phone, 'phone');
    return this.call<WANumberExistResult>({
      operation: 'checkNumberExists',
      method: 'GET',
      path: 'api/contacts/check-exists',
      session: name,
      searchParams: new URLSearchParams({ phone: digits, session: name }),
      idempotent: true,
    });
  }

  // ---------------------------------------------------------------- chats

  /** `GET /api/{session}/chats`: the engine's own chat objects (see `chatIdOf`). */
  async listChats(session: string, page: PageInput = {}): Promise<WahaChat[]> {
    const name = assertSessionName(session);
    assertPaging(page.limit, page.offset);
    const searchParams = new URLSearchParams({ sortBy: 'conversationTimestamp', sortOrder: 'desc' });
    if (page.limit !== undefined) searchParams.set('limit', String(page.limit));
    if (page.offset !== undefined) searchParams.set('offset', String(page.offset));
    return this.call<WahaChat[]>({
      operation: 'listChats',
      method: 'GET',
      path: `api/${name}/chats`,
      session: name,
      searchParams,
      idempotent: true,
    });
  }

  /** `GET /api/{session}/chats/overview`: id, name, picture and last message, newest first. */
  async chatsOverview(session: string, input: PageInput & { ids?: string[] } = {}): Promise<ChatSummary[]> {
    const name = assertSessionName(session);
    assertPaging(input.limit, input.offset);
    const searchParams = new URLSearchParams();
    searchParams.set('limit', String(input.limit ?? 20));
    if (input.offset !== undefined) searchParams.set('offset', String(input.offset));
    for (const id of input.ids ?? []) searchParams.append('ids', assertChatId(id, 'ids'));
    return this.call<ChatSummary[]>({
      operation: 'chatsOverview',
      method: 'GET',
      path: `api/${name}/chats/overview`,
      session: name,
      searchParams,
      idempotent: true,
    });
  }

  /** `GET /api/{session}/chats/{chatId}/messages` (`limit` is required by WAHA). */
  async chatMessages(session: string, chatId: string, input: ChatMessagesInput = {}): Promise<WAMessage[]> {
    const name = assertSessionName(session);
    const chat = assertChatId(chatId);
    assertPaging(input.limit, input.offset);
    const searchParams = new URLSearchParams({
      limit: String(input.limit ?? 50),
      // Media download is slow and not needed for text; WAHA defaults it to true.
      downloadMedia: 'false',
    });
    if (input.offset !== undefined) searchParams.set('offset', String(input.offset));
    if (input.sortOrder) searchParams.set('sortOrder', input.sortOrder);
    if (input.fromMe !== undefined) searchParams.set('filter.fromMe', String(input.fromMe));
    if (input.ack) searchParams.set('filter.ack', input.ack);
    if (input.timestampGte !== undefined)
      searchParams.set('filter.timestamp.gte', String(input.timestampGte));
    if (input.timestampLte !== undefined)
      searchParams.set('filter.timestamp.lte', String(input.timestampLte));
    return this.call<WAMessage[]>({
      operation: 'chatMessages',
      method: 'GET',
      path: `api/${name}/chats/${encodeURIComponent(chat)}/messages`,
      session: name,
      searchParams,
      idempotent: true,
    });
  }

  // ---------------------------------------------------------------- server

  /** `GET /api/server/version` */
  async serverVersion(): Promise<WAHAEnvironment> {
    return this.call<WAHAEnvironment>({
      operation: 'serverVersion',
      method: 'GET',
      path: 'api/server/version',
      idempotent: true,
    });
  }

  /** `GET /api/server/status` */
  async serverStatus(): Promise<ServerStatusResponse> {
    return this.call<ServerStatusResponse>({
      operation: 'serverStatus',
      method: 'GET',
      path: 'api/server/status',
      idempotent: true,
    });
  }

  /** `GET /ping` (needs no API key in WAHA). */
  async ping(): Promise<PingResponse> {
    return this.call<PingResponse>({ operation: 'ping', method: 'GET', path: 'ping', idempotent: true });
  }

  // ---------------------------------------------------------------- internals

  private async sessionAction(
    session: string,
    action: 'start' | 'stop' | 'restart' | 'logout',
    idempotent: boolean,
  ): Promise<SessionDTO> {
    const name = assertSessionName(session);
    return this.call<SessionDTO>({
      operation: `${action}Session`,
      method: 'POST',
      path: `api/sessions/${name}/${action}`,
      session: name,
      idempotent,
    });
  }

  private async typing(
    operation: 'startTyping' | 'stopTyping',
    input: { session: string; chatId: string },
  ): Promise<void> {
    const session = assertSessionName(input.session);
    const chatId = assertChatId(input.chatId);
    await this.call<unknown>({
      operation,
      method: 'POST',
      path: `api/${operation}`,
      session,
      json: { session, chatId },
      idempotent: true,
    });
  }

  private retryOptions(method: Method, idempotent: boolean) {
    const base = this.retryDelayMs;
    return {
      limit: idempotent ? this.retries : 0,
      methods: [method],
      statusCodes: RETRY_STATUS_CODES,
      calculateDelay: ({ attemptCount, computedValue }: { attemptCount: number; computedValue: number }) =>
        computedValue === 0 ? 0 : Math.min(base * 2 ** (attemptCount - 1), 2_000),
    };
  }

  private async call<T>(options: CallOptions): Promise<T> {
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    try {
      const response = await this.http(options.path, {
        method: options.method,
        headers,
        ...(options.json !== undefined ? { json: options.json } : {}),
        ...(options.searchParams ? { searchParams: options.searchParams } : {}),
        retry: this.retryOptions(options.method, options.idempotent),
        responseType: 'text',
      });
      // WAHA answers some calls (delete, typing, me before linking) with an empty body.
      if (response.body.length === 0) return undefined as T;
      return JSON.parse(response.body) as T;
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new DomainError(
          'UPSTREAM_UNAVAILABLE',
          `WAHA answered unreadable JSON on ${options.operation}`,
          {
            details: { operation: options.operation, wahaError: error.message },
            cause: error,
          },
        );
      }
      throw toWahaError(error, options);
    }
  }
}

/**
 * The WAHA message id from `sendText`'s answer, which differs by engine:
 * - GOWS: `WAMessage`, `id` is the string;
 * - WEBJS: whatsapp-web.js' message, `id._serialized`;
 * - NOWEB: Baileys' `WebMessageInfo`, built as `{fromMe}_{chatId}_{key.id}` from `key`.
 */
export function sentMessageId(raw: SendTextResponse): string {
  const r = raw as unknown as Record<string, unknown>;
  const id = r.id as unknown;
  if (typeof id === 'string') return id;
  if (isRecord(id) && typeof id._serialized === 'string') return id._serialized;
  const key = r.key as unknown;
  if (isRecord(key) && typeof key.id === 'string' && typeof key.remoteJid === 'string') {
    return `${key.fromMe === true ? 'true' : 'false'}_${toChatId(key.remoteJid)}_${key.id}`;
  }
  throw new DomainError('UPSTREAM_UNAVAILABLE', 'WAHA sendText answered without a message id', {
    details: { operation: 'sendText' },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** A chat's id from `GET /api/{session}/chats`, whichever engine shaped it. */
export function chatIdOf(chat: WahaChat): string {
  return typeof chat.id === 'string' ? chat.id : chat.id._serialized;
}

/** Baileys addresses people as `<digits>@s.whatsapp.net`; WAHA's API uses `@c.us`. */
function toChatId(jid: string): string {
  return jid.replace(/@s\.whatsapp\.net$/, '@c.us');
}
