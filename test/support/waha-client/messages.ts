import { DomainError } from '../../../src/common/domain-error.js';
import type { SendTextResponse, WANumberExistResult } from '../../../src/waha/waha.types.js';
import type { WahaHttp } from './waha-http.js';
import {
  assertChatId,
  assertMessageId,
  assertPhoneNumber,
  assertSessionName,
  assertText,
} from './waha.validation.js';

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

/** `POST /api/sendText` → 201; needs WORKING (422 otherwise). Never retried: it would send twice. */
export async function sendText(http: WahaHttp, input: SendTextInput): Promise<SendTextResult> {
  const session = assertSessionName(input.session);
  const chatId = assertChatId(input.chatId);
  const text = assertText(input.text);
  const json: Record<string, unknown> = { session, chatId, text };
  if (input.replyTo !== undefined) json.reply_to = assertMessageId(input.replyTo, 'replyTo');
  if (input.linkPreview !== undefined) json.linkPreview = input.linkPreview;
  const raw = await http.call<SendTextResponse>({
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
export async function sendSeen(
  http: WahaHttp,
  input: { session: string; chatId: string; messageIds?: string[] },
): Promise<void> {
  const session = assertSessionName(input.session);
  const chatId = assertChatId(input.chatId);
  const json: Record<string, unknown> = { session, chatId };
  if (input.messageIds) json.messageIds = input.messageIds.map((id) => assertMessageId(id, 'messageIds'));
  await http.call<unknown>({
    operation: 'sendSeen',
    method: 'POST',
    path: 'api/sendSeen',
    session,
    json,
    idempotent: true,
  });
}

/** `POST /api/startTyping` or `POST /api/stopTyping` */
export async function typing(
  http: WahaHttp,
  operation: 'startTyping' | 'stopTyping',
  input: { session: string; chatId: string },
): Promise<void> {
  const session = assertSessionName(input.session);
  const chatId = assertChatId(input.chatId);
  await http.call<unknown>({
    operation,
    method: 'POST',
    path: `api/${operation}`,
    session,
    json: { session, chatId },
    idempotent: true,
  });
}

/** `GET /api/contacts/check-exists?phone=&session=` */
export async function checkNumberExists(
  http: WahaHttp,
  session: string,
  phone: string,
): Promise<WANumberExistResult> {
  const name = assertSessionName(session);
  const digits = assertPhoneNumber(phone, 'phone');
  return http.call<WANumberExistResult>({
    operation: 'checkNumberExists',
    method: 'GET',
    path: 'api/contacts/check-exists',
    session: name,
    searchParams: new URLSearchParams({ phone: digits, session: name }),
    idempotent: true,
  });
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

/** Baileys addresses people as `<digits>@s.whatsapp.net`; WAHA's API uses `@c.us`. */
function toChatId(jid: string): string {
  return jid.replace(/@s\.whatsapp\.net$/, '@c.us');
}
