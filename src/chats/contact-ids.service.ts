import { EntityManager } from '@mikro-orm/core';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/domain-error.js';
import { retryOnDeadlock } from '../database/deadlocks.js';
import { sqlOf } from '../database/sql.js';
import { Metrics } from '../observability/metrics.js';
import { isLid, personIdOf } from '../waha/chat-ids.js';
import { Chat } from './chat.entity.js';
import {
  chatsOfIds,
  chatWithMessage,
  copiesOf,
  deleteChat,
  lockChatIds,
  mergeMessageInto,
  moveMessages,
  refreshAfterDrop,
  twinPairs,
  updateLinkedChat,
} from './contact-ids-sql.js';
import { MessageEvents, type Replaced } from './message-events.js';
import { type SessionRef } from './message-rows.js';
import { LOCK_MESSAGE_SQL } from './message-sql.js';

/** What a link did. */
export type LinkOutcome = 'none' | 'unchanged' | 'linked' | 'merged';

/**
 * The session's chat that has `anyChatId` as its chat id or as its other id (a dashboard opens a
 * chat by either), under `em`'s filters (the caller's tenant), or null.
 */
export function findChat(em: EntityManager, sessionId: string, anyChatId: string): Promise<Chat | null> {
  return em.findOne(Chat, {
    session: { id: sessionId, deletedAt: null },
    $or: [{ chatId: anyChatId }, { altChatId: anyChatId }],
  });
}

/**
 * One contact, one chat: WAHA names a person by phone number (`<digits>@c.us`) or by LID
 * (`<digits>@lid`), and where it says both are one person (a message carrying both, n8n's
 * contact.lookup) the two map to one chat, which keeps both ids (chat_id and alt_chat_id).
 *
 * Concurrency: a link takes the lock of both ids (lockChatIds), then reads and row-locks the
 * chats of either. The message hot path finds a chat by either id in one statement and updates it
 * by its row id, so a message that races a merge either commits before the merge row-locks its
 * chat (and is moved with the others) or waits for the merge and, finding its chat deleted,
 * fails its foreign key and is stored again in the survivor. Where the hot path creates a chat or
 * gives one a new id, it reconciles afterwards under the same locks, so two chats of one person
 * never stay apart. Messages are never lost or doubled: a message WAHA named under both ids is
 * one row (see twinWahaId and mergeCopies).
 *
 * Dashboards hear of a merge as a whatsappMessageUpserted of the survivor's last message: its
 * chat's `chatIds` has both ids (the removed chat's WAHA id is now the survivor's other id),
 * `replacesChats` names the removed chats (their ids are gone) and `replaces` the messages that
 * were copies of others and are gone.
 */
@Injectable()
export class ContactIdsService {
  private readonly logger = new Logger(ContactIdsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly events: MessageEvents,
    private readonly metrics: Metrics,
  ) {}

  findChat(em: EntityManager, sessionId: string, anyChatId: string): Promise<Chat | null> {
    return findChat(em, sessionId, anyChatId);
  }

  /**
   * `lid` and `phoneId` are one person: their chats become one. With one chat, it gets the other
   * id; with one chat per id, the younger is merged into the older (its messages moved, copies of
   * one message made one, its unread count added, its name kept where the older has none) and
   * deleted, and the older keeps both ids. Idempotent, and safe under concurrent events.
   */
  async link(ref: SessionRef, lid: string, phoneId: string): Promise<LinkOutcome> {
    if (personIdOf(lid) !== lid || !isLid(lid)) throw DomainError.badInput('lid', 'A LID is <digits>@lid');
    if (personIdOf(phoneId) !== phoneId || isLid(phoneId)) {
      throw DomainError.badInput('phoneId', 'A phone-number id is <digits>@c.us');
    }
    const { outcome, survivor, replaced } = await this.retried(() =>
      this.em.fork().transactional(async (em) => {
        await lockChatIds(em, ref.sessionId, [lid, phoneId]);
        return this.linkLocked(em, ref, lid, phoneId);
      }),
    );
    if (survivor !== null) await this.publish(ref, survivor, replaced);
    return outcome;
  }

  /**
   * After the hot path created a chat for `chatId`, or gave a chat `chatId` as a new id: if
   * another chat claims the same id (a concurrent statement could not see it), the person's
   * chats are linked. Under the id's lock, so a link under way is waited for and seen.
   */
  async reconcile(ref: SessionRef, chatId: string): Promise<LinkOutcome> {
    if (personIdOf(chatId) !== chatId) return 'none';
    const { outcome, survivor, replaced } = await this.retried(() =>
      this.em.fork().transactional(async (em) => {
        await lockChatIds(em, ref.sessionId, [chatId]);
        const chats = await chatsOfIds(em, ref, [chatId]);
        if (chats.length < 2) return { outcome: 'unchanged' as const, survivor: null, replaced: {} };
        const ids = chats.flatMap((chat) => [chat.chat_id, chat.alt_chat_id]).filter((id) => id !== null);
        const lid = ids.find((id) => isLid(id) && personIdOf(id) === id);
        const phoneId = ids.find((id) => !isLid(id) && personIdOf(id) === id);
        if (!lid || !phoneId) return { outcome: 'unchanged' as const, survivor: null, replaced: {} };
        await lockChatIds(em, ref.sessionId, [lid, phoneId]);
        return this.linkLocked(em, ref, lid, phoneId);
      }),
    );
    if (survivor !== null) await this.publish(ref, survivor, replaced);
    return outcome;
  }

  /**
   * Two rows of one message (`wahaIds`: a message and its copy under the chat's other id, which
   * racing statements stored side by side) become one: the older keeps the other's ack, parts
   * and reactions, the younger is deleted, and its chat's unread count and last message follow.
   * Under the locks of both ids; idempotent.
   */
  async mergeCopies(ref: SessionRef, wahaIds: [string, string]): Promise<void> {
    const result = await this.retried(() =>
      this.em.fork().transactional(async (em) => {
        for (const wahaId of [...wahaIds].sort()) await sqlOf(em).execute(LOCK_MESSAGE_SQL, [wahaId]);
        const copies = await copiesOf(em, ref, wahaIds);
        if (copies.length < 2) return null;
        const [keep, drop] = copies as [{ id: string; chat_id: string }, { id: string; chat_id: string }];
        const dropped = await mergeMessageInto(em, keep.id, drop.id);
        if (!dropped) return null;
        await refreshAfterDrop(em, dropped.chat_id, !dropped.from_me);
        return { chatPk: keep.chat_id, messagePk: keep.id, replaced: [dropped.id] };
      }),
    );
    if (!result) return;
    const shown = await chatWithMessage(this.em.fork(), result.chatPk, result.messagePk);
    if (shown?.message)
      this.events.publishStored(ref, shown.chat, shown.message, { messages: result.replaced });
  }

  /** link's work, under the locks of both ids. */
  private async linkLocked(
    em: EntityManager,
    ref: SessionRef,
    lid: string,
    phoneId: string,
  ): Promise<{ outcome: LinkOutcome; survivor: string | null; replaced: Replaced }> {
    const chats = await chatsOfIds(em, ref, [lid, phoneId]);
    if (chats.length === 0) return { outcome: 'none', survivor: null, replaced: {} };
    // The oldest chat that is one of the two ids survives: dashboards know it longest. A chat that
    // has one of them only as its other id (a person whose number changed) is merged into it.
    const survivor = chats.find((chat) => chat.chat_id === lid || chat.chat_id === phoneId) ?? chats[0]!;
    const others = chats.filter((chat) => chat !== survivor);
    const altChatId =
      survivor.chat_id === lid ? phoneId : survivor.chat_id === phoneId ? lid : survivor.alt_chat_id;
    if (others.length === 0 && survivor.alt_chat_id === altChatId) {
      return { outcome: 'unchanged', survivor: null, replaced: {} };
    }
    const replaced: string[] = [];
    let unread = Number(survivor.unread_count);
    let name = survivor.name;
    for (const other of others) {
      let droppedInbound = 0;
      for (const pair of await twinPairs(em, other.id, survivor.id)) {
        const dropped = await mergeMessageInto(em, pair.keep, pair.drop);
        if (!dropped) continue;
        replaced.push(dropped.id);
        if (!dropped.from_me) droppedInbound += 1;
      }
      await moveMessages(em, other.id, survivor.id);
      await deleteChat(em, other.id);
      unread = mergedUnread(unread, Number(other.unread_count), droppedInbound);
      name ??= other.name;
    }
    await updateLinkedChat(em, survivor.id, { altChatId, name, unreadCount: unread });
    return {
      outcome: others.length > 0 ? 'merged' : 'linked',
      survivor: survivor.id,
      replaced: { messages: replaced, chats: others.map((other) => other.id) },
    };
  }

  /** Publishes the survivor's last message with the chat as it is now (both ids). */
  private async publish(ref: SessionRef, chatPk: string, replaced: Replaced): Promise<void> {
    const shown = await chatWithMessage(this.em.fork(), chatPk);
    if (shown?.message) this.events.publishStored(ref, shown.chat, shown.message, replaced);
  }

  /** `work` again when PostgreSQL broke a deadlock by failing it (two links locking ids in crossed order). */
  private retried<T>(work: () => Promise<T>): Promise<T> {
    return retryOnDeadlock(work, (again) => {
      this.metrics.deadlockRetries.inc({ operation: 'contact_ids' });
      this.logger.debug(`A link was chosen as a deadlock's victim; again (attempt ${again})`);
    });
  }
}

/**
 * The unread count of a merged chat. Both counted their own news; a message both held (a copy
 * under each id) was news in each: counted once. Never less than either had.
 */
export function mergedUnread(survivor: number, other: number, droppedInbound: number): number {
  return Math.max(survivor, other, survivor + other - droppedInbound);
}
