import { type ChatRecord, type MessageRecord } from './chats.mapper.js';

/**
 * Chats and messages as the write side's SQL returns them (snake_case, dates as Date or text,
 * counts possibly as text), and the records they become.
 */

/** The session a write belongs to, resolved by the caller (webhook key cache, n8n's session id). */
export interface SessionRef {
  tenantId: string;
  sessionId: string;
}

/** The columns of a message that make its record (see messageRecord). */
export const MESSAGE_COLUMNS = `id, waha_id, from_me, body, has_media, "timestamp", ack, failure_reason, created_at, updated_at, created_by, chat_id`;

/** MESSAGE_COLUMNS of the table or alias `alias`. */
export function messageColumnsOf(alias: string): string {
  return MESSAGE_COLUMNS.replace(/(^|, )/g, `$1${alias}.`);
}

/** The columns of a chat that make its record (see chatRecord). */
export const CHAT_COLUMNS = `chat_id, name, unread_count, activity_at, created_at, updated_at`;

export interface MessageRow {
  id: string;
  waha_id: string | null;
  from_me: boolean;
  body: string | null;
  has_media: boolean;
  timestamp: Date | string;
  ack: number;
  failure_reason: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  created_by: string;
  chat_id: string;
}

export interface ChatRow {
  chat_id: string;
  name: string | null;
  unread_count: number;
  activity_at: Date | string;
  created_at: Date | string;
  updated_at: Date | string;
}

const asDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

export function messageRecord(row: MessageRow): MessageRecord {
  return {
    id: row.id,
    wahaId: row.waha_id,
    fromMe: row.from_me,
    body: row.body,
    hasMedia: row.has_media,
    timestamp: asDate(row.timestamp),
    ack: Number(row.ack),
    failureReason: row.failure_reason,
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
    createdBy: row.created_by,
  };
}

export function chatRecord(row: ChatRow): ChatRecord {
  return {
    chatId: row.chat_id,
    name: row.name,
    unreadCount: Number(row.unread_count),
    activityAt: asDate(row.activity_at),
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}
