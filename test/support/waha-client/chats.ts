import type { ChatSummary, WahaAckName, WahaChat, WAMessage } from '../../../src/waha/waha.types.js';
import type { WahaHttp } from './waha-http.js';
import { assertChatId, assertPaging, assertSessionName } from './waha.validation.js';

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

/** `GET /api/{session}/chats`: the engine's own chat objects (see `chatIdOf`). */
export async function listChats(http: WahaHttp, session: string, page: PageInput = {}): Promise<WahaChat[]> {
  const name = assertSessionName(session);
  assertPaging(page.limit, page.offset);
  const searchParams = new URLSearchParams({ sortBy: 'conversationTimestamp', sortOrder: 'desc' });
  if (page.limit !== undefined) searchParams.set('limit', String(page.limit));
  if (page.offset !== undefined) searchParams.set('offset', String(page.offset));
  return http.call<WahaChat[]>({
    operation: 'listChats',
    method: 'GET',
    path: `api/${name}/chats`,
    session: name,
    searchParams,
    idempotent: true,
  });
}

/** `GET /api/{session}/chats/overview`: id, name, picture and last message, newest first. */
export async function chatsOverview(
  http: WahaHttp,
  session: string,
  input: PageInput & { ids?: string[] } = {},
): Promise<ChatSummary[]> {
  const name = assertSessionName(session);
  assertPaging(input.limit, input.offset);
  const searchParams = new URLSearchParams();
  searchParams.set('limit', String(input.limit ?? 20));
  if (input.offset !== undefined) searchParams.set('offset', String(input.offset));
  for (const id of input.ids ?? []) searchParams.append('ids', assertChatId(id, 'ids'));
  return http.call<ChatSummary[]>({
    operation: 'chatsOverview',
    method: 'GET',
    path: `api/${name}/chats/overview`,
    session: name,
    searchParams,
    idempotent: true,
  });
}

/** `GET /api/{session}/chats/{chatId}/messages` (`limit` is required by WAHA). */
export async function chatMessages(
  http: WahaHttp,
  session: string,
  chatId: string,
  input: ChatMessagesInput = {},
): Promise<WAMessage[]> {
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
  if (input.timestampGte !== undefined) searchParams.set('filter.timestamp.gte', String(input.timestampGte));
  if (input.timestampLte !== undefined) searchParams.set('filter.timestamp.lte', String(input.timestampLte));
  return http.call<WAMessage[]>({
    operation: 'chatMessages',
    method: 'GET',
    path: `api/${name}/chats/${encodeURIComponent(chat)}/messages`,
    session: name,
    searchParams,
    idempotent: true,
  });
}

/** A chat's id from `GET /api/{session}/chats`, whichever engine shaped it. */
export function chatIdOf(chat: WahaChat): string {
  return typeof chat.id === 'string' ? chat.id : chat.id._serialized;
}
