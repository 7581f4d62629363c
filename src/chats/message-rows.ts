import { type MediaState } from '../media/media.entity.js';
import { type MessageType } from '../waha/message-types.js';
import { type ChatRecord, type MessageRecord } from './chats.mapper.js';
import { type MediaModel } from './message-parts.model.js';

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
export const MESSAGE_COLUMNS = `id, waha_id, from_me, body, has_media, "timestamp", ack, failure_reason, created_at, updated_at, created_by, chat_id, type, media_id, reply_to_waha_id, reply_to_excerpt, author_id, author_phone_id, location, vcards, edited_at, previous_body, revoked_at`;

/** MESSAGE_COLUMNS of the table or alias `alias`. */
export function messageColumnsOf(alias: string): string {
  return MESSAGE_COLUMNS.replace(/(^|, )/g, `$1${alias}.`);
}

/** The columns of a chat that make its record (see chatRecord). */
export const CHAT_COLUMNS = `id, chat_id, alt_chat_id, name, participants, participants_fetched_at, unread_count, activity_at, created_at, updated_at`;

/** CHAT_COLUMNS of the table or alias `alias`. */
export function chatColumnsOf(alias: string): string {
  return CHAT_COLUMNS.replace(/(^|, )/g, `$1${alias}.`);
}

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
  type: MessageType;
  media_id: string | null;
  reply_to_waha_id: string | null;
  reply_to_excerpt: string | null;
  author_id: string | null;
  author_phone_id: string | null;
  location: Record<string, unknown> | null;
  vcards: string[] | null;
  edited_at: Date | string | null;
  previous_body: string | null;
  revoked_at: Date | string | null;
}

/** A message's media row as a statement returns it with the message (see mediaViewOf). */
export interface MediaViewRow {
  id: string;
  state: MediaState;
  mimetype: string | null;
  filename: string | null;
  size: number | string | null;
  sha256: string | null;
  failure_reason: string | null;
}

/** A media row's columns for MediaViewRow. */
export const MEDIA_VIEW_COLUMNS = `id, state, mimetype, filename, size, sha256, failure_reason`;

/** A message's current reactions as a statement returns them with it (reaction '' is a removed one). */
export type ReactionsJson =
  { senderId: string; fromMe: boolean; reaction: string; timestamp: string }[] | null;

/** What a statement returns with a message to show it whole: its media row and its reactions. */
export interface MessagePartsRow {
  media_view: MediaViewRow | null;
  reactions: ReactionsJson;
}

/**
 * The select-list items of MessagePartsRow for the message row `alias` of session `session` (an
 * SQL expression): two index probes, so a statement returns a message ready to publish.
 */
export function messagePartsSql(alias: string, session: string): string {
  return `case when ${alias}.media_id is not null then (select row_to_json(v) from (select ${MEDIA_VIEW_COLUMNS} from media where id = ${alias}.media_id) v) end as media_view,
    (select json_agg(json_build_object('senderId', r.sender_id, 'fromMe', r.from_me, 'reaction', r.reaction,
        'timestamp', r."timestamp") order by r."timestamp", r.sender_id)
      from message_reactions r where r.session_id = ${session} and r.message_waha_id = ${alias}.waha_id and r.reaction <> '') as reactions`;
}

/** `record` with the media and reactions a statement returned with it (see messagePartsSql). */
export function withParts(record: MessageRecord, parts: MessagePartsRow): MessageRecord {
  record.mediaView = parts.media_view ? mediaViewOf(parts.media_view) : null;
  record.reactions = (parts.reactions ?? []).map((r) => ({ ...r, timestamp: new Date(r.timestamp) }));
  return record;
}

export interface ChatRow {
  id: string;
  chat_id: string;
  alt_chat_id: string | null;
  name: string | null;
  participants: { id: string; phoneId: string | null; role: string | null }[] | null;
  participants_fetched_at: Date | string | null;
  unread_count: number;
  activity_at: Date | string;
  created_at: Date | string;
  updated_at: Date | string;
}

const asDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));
const asDateOrNull = (value: Date | string | null | undefined): Date | null =>
  value === null || value === undefined ? null : asDate(value);

/** A media row as the API shows it. */
export function mediaViewOf(row: MediaViewRow): MediaModel {
  return {
    id: row.id,
    state: row.state,
    mimetype: row.mimetype,
    filename: row.filename,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    failureReason: row.failure_reason,
  };
}

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
    type: row.type,
    replyToWahaId: row.reply_to_waha_id,
    replyToExcerpt: row.reply_to_excerpt,
    authorId: row.author_id,
    authorPhoneId: row.author_phone_id,
    location: row.location,
    vcards: row.vcards,
    editedAt: asDateOrNull(row.edited_at),
    previousBody: row.previous_body,
    revokedAt: asDateOrNull(row.revoked_at),
  };
}

export function chatRecord(row: ChatRow): ChatRecord {
  return {
    id: row.id,
    chatId: row.chat_id,
    altChatId: row.alt_chat_id,
    name: row.name,
    participants: row.participants,
    participantsFetchedAt: asDateOrNull(row.participants_fetched_at),
    unreadCount: Number(row.unread_count),
    activityAt: asDate(row.activity_at),
    createdAt: asDate(row.created_at),
    updatedAt: asDate(row.updated_at),
  };
}

/**
 * The SET assignments that fill a stored message's parts from another copy of it (the same
 * message delivered again, or stored under the contact's other id): what the stored copy lacks
 * is taken, what it has is kept. One rule for the hot path's upsert and the merge of copies.
 */
export function messagePartsFillSql(kept: string, other: string): string {
  return `has_media = ${kept}.has_media or ${other}.has_media,
          type = case when ${kept}.type = 'TEXT' then ${other}.type else ${kept}.type end,
          media_id = coalesce(${kept}.media_id, ${other}.media_id),
          reply_to_excerpt = case when ${kept}.reply_to_waha_id is null then ${other}.reply_to_excerpt else ${kept}.reply_to_excerpt end,
          reply_to_waha_id = coalesce(${kept}.reply_to_waha_id, ${other}.reply_to_waha_id),
          author_id = coalesce(${kept}.author_id, ${other}.author_id),
          author_phone_id = coalesce(${kept}.author_phone_id, ${other}.author_phone_id),
          location = coalesce(${kept}.location, ${other}.location),
          vcards = coalesce(${kept}.vcards, ${other}.vcards)`;
}
