import { type EntityManager } from '@mikro-orm/core';
import { type Actor } from '../common/audit.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { isStorableText, storableText } from '../common/storable.js';
import { newRowId } from '../database/row-ids.js';
import { CommandType } from '../outbox/commands.js';
import { type OutboxService } from '../outbox/outbox.service.js';
import { Ack } from '../waha/acks.js';
import { MessageType } from '../waha/message-types.js';
import { Chat } from './chat.entity.js';
import { Message } from './message.entity.js';
import { type MessageRecord } from './chats.mapper.js';
import { type MessageEvents } from './message-events.js';
import { chatRecordOf, loadMessageParts, messageRecordOf } from './message-views.js';
import { type SessionRef } from './message-rows.js';
import { assertMaySend } from './outbound-limits.js';
import { type MediaKind, type SendableMedia } from './outbound-media.js';

export const MAX_TEXT_LENGTH = 4096;
/** How much of the quoted message a reply keeps to show (WAHA gives inbound replies a short excerpt too). */
const REPLY_EXCERPT_LENGTH = 100;

/**
 * `text` of a send: the message (1 to 4096 characters), or with a file its caption (may be
 * empty; a voice note has none: WAHA's sendVoice takes no caption). Refused, not repaired as
 * WAHA's are (storableText): the sender is here to fix the text.
 */
export function validSendText(text: string, media: { kind: MediaKind } | null): string {
  // Every file takes up to 4096 characters of caption, and a voice note ''; text is first judged
  // as any file's caption (before the file is looked up), then as its own kind's.
  if (media) {
    if (text.length > MAX_TEXT_LENGTH) {
      throw DomainError.badInput('text', `A caption is at most ${MAX_TEXT_LENGTH} characters`);
    }
    if (media.kind === 'voice' && text !== '') {
      throw DomainError.badInput('text', 'A voice note has no caption: send the text as its own message');
    }
  } else if (text.trim().length === 0 || text.length > MAX_TEXT_LENGTH) {
    throw DomainError.badInput('text', `A message text is 1 to ${MAX_TEXT_LENGTH} characters`);
  }
  if (!isStorableText(text)) {
    throw DomainError.badInput('text', 'A message text cannot contain NUL characters or broken surrogates');
  }
  return text;
}

/** What a dashboard user sends, resolved: the chat it lands in, the quoted message, the file. */
export interface Outbound {
  /** The stored chat's WAHA id when the user named it by either id; else the recipient's. */
  chatId: string;
  phoneNumber: string | null;
  text: string;
  replyTo: { wahaId: string; excerpt: string | null } | null;
  media: (SendableMedia & { url: string }) | null;
}

/** What a send asked for, to tell a retry (same key, same request) from a reuse of the key. */
export interface SendRequest {
  chatIds: string[];
  text: string;
  replyTo: string | null;
  mediaId: string | null;
}

/** A retried send with the same idempotency key must ask for the same message, else CONFLICT. */
export function assertSameSend(earlier: Message, request: SendRequest): void {
  const same =
    request.chatIds.some((id) => id === earlier.chat.chatId || id === earlier.chat.altChatId) &&
    (earlier.body ?? '') === request.text &&
    (earlier.replyToWahaId ?? null) === request.replyTo &&
    (earlier.media?.id ?? null) === request.mediaId;
  if (!same) {
    throw new DomainError(ErrorCode.CONFLICT, 'This idempotency key was used for a different message', {
      field: 'idempotencyKey',
    });
  }
}

export function replyOf(quoted: Message): { wahaId: string; excerpt: string | null } {
  const excerpt = quoted.body ? storableText(quoted.body, REPLY_EXCERPT_LENGTH) : null;
  return { wahaId: quoted.wahaId!, excerpt };
}

/**
 * A message a dashboard user sends, if WhatsApp's limits allow it (assertMaySend): stored PENDING under our id, its chat upserted (and
 * row-locked) with the message as its last, and its message.send command written, in one
 * transaction; published after commit, with its file.
 */
export async function storeSend(
  deps: { em: EntityManager; outbox: OutboxService; events: MessageEvents },
  ref: SessionRef,
  outbound: Outbound,
  idempotencyKey: string | null,
  actor: Actor,
): Promise<MessageRecord> {
  // Before anything is written: a send WhatsApp's limits forbid stores nothing and queues nothing.
  await assertMaySend(deps.em, ref.sessionId, outbound.chatId);
  const now = new Date();
  const { media } = outbound;
  const { chat, message } = await deps.em.fork().transactional(async (em) => {
    // ON CONFLICT DO UPDATE: an existing chat is locked until commit, and keeps what it has.
    const chat = await em.upsert(
      Chat,
      {
        id: newRowId(),
        tenant: ref.tenantId,
        session: ref.sessionId,
        chatId: outbound.chatId,
        name: null,
        unreadCount: 0,
        activityAt: now,
        createdAt: now,
        updatedAt: now,
        createdBy: actor,
        updatedBy: actor,
      },
      {
        onConflictFields: ['session', 'chatId'],
        onConflictAction: 'merge',
        onConflictMergeFields: ['updatedAt', 'updatedBy'],
      },
    );
    const message = em.create(Message, {
      id: newRowId(),
      tenant: ref.tenantId,
      session: ref.sessionId,
      chat,
      wahaId: null,
      fromMe: true,
      // A file's caption is its body, as WAHA keeps it; no caption is no body.
      body: media && outbound.text === '' ? null : outbound.text,
      hasMedia: media !== null,
      type: media ? media.type : MessageType.TEXT,
      media: media ? media.id : null,
      replyToWahaId: outbound.replyTo?.wahaId ?? null,
      replyToExcerpt: outbound.replyTo?.excerpt ?? null,
      timestamp: now,
      ack: Ack.PENDING,
      idempotencyKey,
      createdAt: now,
      updatedAt: now,
      createdBy: actor,
      updatedBy: actor,
    });
    chat.lastMessage = message;
    if (chat.activityAt < now) chat.activityAt = now;
    chat.updatedBy = actor;
    deps.outbox.enqueue(em, CommandType.MESSAGE_SEND, ref, {
      messageId: message.id,
      chatId: outbound.chatId,
      phoneNumber: outbound.phoneNumber,
      text: outbound.text,
      replyTo: outbound.replyTo?.wahaId ?? null,
      media: media
        ? { kind: media.kind, url: media.url, mimetype: media.mimetype, filename: media.filename }
        : null,
    });
    return { chat, message };
  });
  deps.outbox.notifyCommitted();
  const [record] = await loadMessageParts(deps.em, ref.sessionId, [messageRecordOf(message)]);
  deps.events.publishStored(ref, chatRecordOf(chat), record!);
  return record!;
}
