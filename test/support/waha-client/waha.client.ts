import type {
  Base64File,
  ChatSummary,
  MeInfo,
  PingResponse,
  ServerStatusResponse,
  SessionConfig,
  SessionDTO,
  SessionInfo,
  WAHAEnvironment,
  WahaChat,
  WAMessage,
  WANumberExistResult,
} from '../../../src/waha/waha.types.js';
import * as auth from './auth.js';
import * as chats from './chats.js';
import * as messages from './messages.js';
import * as sessions from './sessions.js';
import { WahaHttp, type WahaClientOptions } from './waha-http.js';

export { chatIdOf } from './chats.js';
export type { ChatMessagesInput, PageInput } from './chats.js';
export { sentMessageId } from './messages.js';
export type { SendTextInput, SendTextResult } from './messages.js';
export type { CreateSessionInput } from './sessions.js';
export type { WahaClientOptions } from './waha-http.js';

/**
 * The one typed client for WAHA, one file per WAHA area (sessions.ts, auth.ts, messages.ts,
 * chats.ts) over waha-http.ts. Plain class (no Nest needed); every failure is a DomainError
 * (see waha.errors.ts), every input that reaches WAHA is checked first with WAHA's own rules
 * (waha.validation.ts).
 */
export class WahaClient {
  private readonly http: WahaHttp;

  constructor(options: WahaClientOptions) {
    this.http = new WahaHttp(options);
  }

  // ---------------------------------------------------------------- sessions

  /** `POST /api/sessions` → 201 SessionDTO; 422 if the name is taken. */
  createSession(input: sessions.CreateSessionInput): Promise<SessionDTO> {
    return sessions.createSession(this.http, input);
  }

  /** `GET /api/sessions/{session}` → SessionInfo; 404 when missing. */
  getSession(session: string): Promise<SessionInfo> {
    return sessions.getSession(this.http, session);
  }

  /** `GET /api/sessions?all=true`: every session, STOPPED ones included. */
  listSessions(options: { all?: boolean } = {}): Promise<SessionInfo[]> {
    return sessions.listSessions(this.http, options);
  }

  /** `PUT /api/sessions/{session}`: replaces the config; WAHA restarts a running session. */
  updateSession(session: string, config: SessionConfig): Promise<SessionDTO> {
    return sessions.updateSession(this.http, session, config);
  }

  /** `DELETE /api/sessions/{session}`: stop, log out and delete. Idempotent in WAHA. */
  deleteSession(session: string): Promise<void> {
    return sessions.deleteSession(this.http, session);
  }

  /** `POST /api/sessions/{session}/start`. Idempotent: a running session is left alone. */
  startSession(session: string): Promise<SessionDTO> {
    return sessions.sessionAction(this.http, session, 'start');
  }

  /** `POST /api/sessions/{session}/stop`. Idempotent. */
  stopSession(session: string): Promise<SessionDTO> {
    return sessions.sessionAction(this.http, session, 'stop');
  }

  /** `POST /api/sessions/{session}/restart`: the way to a fresh QR after FAILED. */
  restartSession(session: string): Promise<SessionDTO> {
    return sessions.sessionAction(this.http, session, 'restart');
  }

  /** `POST /api/sessions/{session}/logout`: unlinks the phone; restarts a running session. */
  logoutSession(session: string): Promise<SessionDTO> {
    return sessions.sessionAction(this.http, session, 'logout');
  }

  /** `GET /api/sessions/{session}/me`: the linked account, or null before linking. */
  getMe(session: string): Promise<MeInfo | null> {
    return sessions.getMe(this.http, session);
  }

  // ---------------------------------------------------------------- pairing

  /** `GET /api/{session}/auth/qr?format=raw` → the QR's text, to render ourselves. */
  getQrValue(session: string): Promise<string> {
    return auth.getQrValue(this.http, session);
  }

  /** `GET /api/{session}/auth/qr?format=image` with `Accept: application/json` → base64 PNG. */
  getQrBase64(session: string): Promise<Base64File> {
    return auth.getQrBase64(this.http, session);
  }

  /** `GET /api/{session}/auth/qr?format=image` with `Accept: image/png` → PNG bytes. */
  getQrPng(session: string): Promise<Buffer> {
    return auth.getQrPng(this.http, session);
  }

  /** `POST /api/{session}/auth/request-code` → the pairing code; legal only in SCAN_QR_CODE. */
  requestPairingCode(session: string, phoneNumber: string): Promise<string> {
    return auth.requestPairingCode(this.http, session, phoneNumber);
  }

  // ---------------------------------------------------------------- chatting

  /** `POST /api/sendText` → 201; needs WORKING (422 otherwise). Never retried: it would send twice. */
  sendText(input: messages.SendTextInput): Promise<messages.SendTextResult> {
    return messages.sendText(this.http, input);
  }

  /** `POST /api/sendSeen`: marks the chat (or the given messages) read. */
  sendSeen(input: { session: string; chatId: string; messageIds?: string[] }): Promise<void> {
    return messages.sendSeen(this.http, input);
  }

  /** `POST /api/startTyping` */
  startTyping(input: { session: string; chatId: string }): Promise<void> {
    return messages.typing(this.http, 'startTyping', input);
  }

  /** `POST /api/stopTyping` */
  stopTyping(input: { session: string; chatId: string }): Promise<void> {
    return messages.typing(this.http, 'stopTyping', input);
  }

  /** `GET /api/contacts/check-exists?phone=&session=` */
  checkNumberExists(session: string, phone: string): Promise<WANumberExistResult> {
    return messages.checkNumberExists(this.http, session, phone);
  }

  // ---------------------------------------------------------------- chats

  /** `GET /api/{session}/chats`: the engine's own chat objects (see `chatIdOf`). */
  listChats(session: string, page: chats.PageInput = {}): Promise<WahaChat[]> {
    return chats.listChats(this.http, session, page);
  }

  /** `GET /api/{session}/chats/overview`: id, name, picture and last message, newest first. */
  chatsOverview(session: string, input: chats.PageInput & { ids?: string[] } = {}): Promise<ChatSummary[]> {
    return chats.chatsOverview(this.http, session, input);
  }

  /** `GET /api/{session}/chats/{chatId}/messages` (`limit` is required by WAHA). */
  chatMessages(session: string, chatId: string, input: chats.ChatMessagesInput = {}): Promise<WAMessage[]> {
    return chats.chatMessages(this.http, session, chatId, input);
  }

  // ---------------------------------------------------------------- server

  /** `GET /api/server/version` */
  serverVersion(): Promise<WAHAEnvironment> {
    return this.http.call<WAHAEnvironment>({
      operation: 'serverVersion',
      method: 'GET',
      path: 'api/server/version',
      idempotent: true,
    });
  }

  /** `GET /api/server/status` */
  serverStatus(): Promise<ServerStatusResponse> {
    return this.http.call<ServerStatusResponse>({
      operation: 'serverStatus',
      method: 'GET',
      path: 'api/server/status',
      idempotent: true,
    });
  }

  /** `GET /ping` (needs no API key in WAHA). */
  ping(): Promise<PingResponse> {
    return this.http.call<PingResponse>({ operation: 'ping', method: 'GET', path: 'ping', idempotent: true });
  }
}
