import { type EntityManager } from '@mikro-orm/core';
import { type Actor } from '../common/audit.js';
import { sqlOf } from '../database/sql.js';
import { type SessionRef } from './message-rows.js';

/**
 * The SQL of what happens to a message after it was sent (MessageChangesService): reactions,
 * edits, revokes. Each runs in the caller's transaction, under the per-message lock the message
 * hot path takes (lockMessages), so a change and the message itself are applied one after the
 * other, never interleaved.
 */

/** A reaction as WAHA's `message.reaction` reports it (or n8n for our own). */
export interface ReactionChange {
  /** WAHA's full id of the message reacted to (`{fromMe}_{chatId}_{id}`). */
  messageWahaId: string;
  /** Who reacted: the participant in a group, the person in a chat, the linked account for our own. */
  senderId: string;
  fromMe: boolean;
  /** The emoji; '' = removed. */
  reaction: string;
  /** WAHA's time of the event: the newer reaction of a sender wins, whatever the order of arrival. */
  at: Date;
}

/**
 * Which stored message an edit or revoke is about. WAHA names it by WhatsApp's own id (its
 * `editedMessageId` / `revokedMessageId`, without `{fromMe}_{chatId}_`), and the event carries
 * the chat and its author; WEBJS's event also carries the message's full id.
 */
export interface ChangeTarget {
  /** The chat as the event names it. */
  chatId: string;
  /** WhatsApp's id of the message. */
  engineId: string;
  /** Full WAHA ids the message most likely has (the ones the message hot path locks), first the likeliest. */
  wahaIds: string[];
  /** Who may have written it: a group message's WAHA id ends with its author. */
  authors: string[];
}

/** A message found for a change, as it is before the change. */
export interface TargetRow {
  id: string;
  waha_id: string;
  edited_at: Date | null;
  revoked_at: Date | null;
}

/**
 * The lock of each WAHA id (LOCK_MESSAGE_SQL's, the message hot path's), in a fixed order so
 * two changes never wait for each other's.
 */
export async function lockMessages(em: EntityManager, wahaIds: string[]): Promise<void> {
  const ids = [...new Set(wahaIds)].sort();
  if (ids.length === 0) return;
  await sqlOf(em).execute(
    `select pg_advisory_xact_lock(hashtextextended(w, 0)) from unnest(array[?]::text[]) as t(w)`,
    [ids],
  );
}

const TARGET_COLUMNS = 'id, waha_id, edited_at, revoked_at';

/**
 * WhatsApp lets a message be edited for 15 minutes and deleted for everyone for about 2.5 days;
 * a message older than this (by its own time) is not looked for by id alone. Generous, for
 * clocks.
 */
const CHANGE_WINDOW_DAYS = 7;

/**
 * The message a change is about, locked for update: first by the full ids it can have (the
 * chat under either of its ids, either direction, with or without its author), which is one
 * index lookup; else, for an id whose author the event does not give (a group admin deleting
 * someone else's message), among the chat's messages of the change window by WhatsApp's id.
 * Null when the session has no such message (yet).
 */
export async function findTarget(
  em: EntityManager,
  ref: SessionRef,
  target: ChangeTarget,
  at: Date,
): Promise<TargetRow | null> {
  const sql = sqlOf(em);
  const chats = await sql.execute<{ id: string; chat_id: string; alt_chat_id: string | null }[]>(
    `select id, chat_id, alt_chat_id from chats where session_id = ? and (chat_id = ? or alt_chat_id = ?)`,
    [ref.sessionId, target.chatId, target.chatId],
  );
  const chatIds = new Set([target.chatId]);
  for (const chat of chats) {
    chatIds.add(chat.chat_id);
    if (chat.alt_chat_id) chatIds.add(chat.alt_chat_id);
  }
  const candidates = new Set(target.wahaIds);
  for (const chatId of chatIds) {
    for (const fromMe of ['true', 'false']) {
      const base = `${fromMe}_${chatId}_${target.engineId}`;
      candidates.add(base);
      for (const author of target.authors) candidates.add(`${base}_${author}`);
    }
  }
  const [exact] = await sql.execute<TargetRow[]>(
    `select ${TARGET_COLUMNS} from messages where session_id = ? and waha_id = any(array[?]::varchar[])
     order by array_position(array[?]::varchar[], waha_id) limit 1 for update`,
    [ref.sessionId, [...candidates], [...candidates]],
  );
  if (exact || chats.length === 0) return exact ?? null;
  const [windowed] = await sql.execute<TargetRow[]>(
    `select ${TARGET_COLUMNS} from messages
     where chat_id = any(array[?]::varchar[]) and "timestamp" >= ?::timestamptz - make_interval(days => ?)
       and split_part(waha_id, '_', 3) = ?
     order by "timestamp" desc limit 1 for update`,
    [chats.map((chat) => chat.id), at, CHANGE_WINDOW_DAYS, target.engineId],
  );
  return windowed ?? null;
}

/**
 * Stores a sender's reaction: one row per message and sender, '' kept for a removal (so an
 * older reaction delivered later cannot bring it back), written only when newer than the stored
 * one. True when it was written.
 */
export async function upsertReaction(
  em: EntityManager,
  ref: SessionRef,
  change: ReactionChange,
): Promise<boolean> {
  const rows = await sqlOf(em).execute<{ written: number }[]>(
    `insert into message_reactions (session_id, message_waha_id, sender_id, tenant_id, reaction, from_me, "timestamp", updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (session_id, message_waha_id, sender_id) do update set
       reaction = excluded.reaction, from_me = excluded.from_me, "timestamp" = excluded."timestamp",
       updated_at = excluded.updated_at
     where message_reactions."timestamp" < excluded."timestamp"
     returning 1 as written`,
    [
      ref.sessionId,
      change.messageWahaId,
      change.senderId,
      ref.tenantId,
      change.reaction,
      change.fromMe,
      change.at,
      new Date(),
    ],
  );
  return rows.length > 0;
}

/**
 * The message's new text: the body it had is kept as `previous_body` (unless the edit repeats
 * it), `edited_at` is the edit's time. Not applied to a revoked message, nor when a newer edit
 * was applied already. True when applied.
 */
export async function applyEdit(
  em: EntityManager,
  messagePk: string,
  edit: { body: string; at: Date },
  actor: Actor,
): Promise<boolean> {
  const rows = await sqlOf(em).execute<{ id: string }[]>(
    `update messages set
       previous_body = case when body is distinct from ? then body else previous_body end,
       body = ?, edited_at = ?, updated_at = ?, updated_by = ?
     where id = ? and revoked_at is null and (edited_at is null or edited_at < ?)
     returning id`,
    [edit.body, edit.body, edit.at, new Date(), actor, messagePk, edit.at],
  );
  return rows.length > 0;
}

/**
 * Deleted for everyone: what it said is gone (body, the previous body of an edit, a location, a
 * contact card), `revoked_at` says when. Once: a revoked message stays as its first revoke left
 * it. True when applied.
 */
export async function applyRevoke(
  em: EntityManager,
  messagePk: string,
  at: Date,
  actor: Actor,
): Promise<boolean> {
  const rows = await sqlOf(em).execute<{ id: string }[]>(
    `update messages set body = null, previous_body = null, location = null, vcards = null,
       revoked_at = ?, updated_at = ?, updated_by = ?
     where id = ? and revoked_at is null
     returning id`,
    [at, new Date(), actor, messagePk],
  );
  return rows.length > 0;
}
