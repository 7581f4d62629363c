import { Injectable, Logger } from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { PreparedStatements } from '../database/prepared-statements.js';
import { Metrics } from '../observability/metrics.js';
import { CommandType } from '../outbox/commands.js';
import { newOutboxCommand } from '../outbox/outbox-rows.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { isLid, personIdOf } from '../waha/chat-ids.js';
import { type IncomingChat, type IncomingMessage } from '../waha/waha-message.js';
import { ContactIdsService } from './contact-ids.service.js';
import { MessageIngestService, type StoreOutcome } from './message-ingest.service.js';
import { type SessionRef } from './message-rows.js';
import { type SyncedChatOutcome, upsertSyncedChat } from './write-back-sql.js';

export interface SyncResult {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * n8n's chats.sync write-backs: WAHA's chats overview and its chats' recent messages, stored in
 * the same rows as webhooks' and without duplicates, as history (no unread, no automations),
 * with everything a webhook's message keeps (see MessageIngestService) and the same one chat per
 * contact (a chat found by either of its ids; ContactIdsService). Across tenants on purpose,
 * like every n8n write-back: the tenant is the session's own. A message a sync creates is one
 * no webhook delivered (WAHA #2250, or sent while the service was down): counted in
 * whatsapp_hub_reconciled_messages_total, whichever sync found it (the ReconciliationWorker's
 * or one a dashboard asked for).
 */
@Injectable()
export class ChatSyncService {
  private readonly logger = new Logger(ChatSyncService.name);

  constructor(
    private readonly ingest: MessageIngestService,
    private readonly statements: PreparedStatements,
    private readonly outbox: OutboxService,
    private readonly contactIds: ContactIdsService,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Chats from WAHA's chats overview: created or updated in place (name, unread count, the
   * contact's other id), never duplicated; each summary's last message is stored like a synced
   * message.
   */
  async upsertChats(
    ref: SessionRef,
    chats: (Omit<IncomingChat, 'altChatId'> & { altChatId?: string | null })[],
    actor: Actor,
  ): Promise<SyncResult> {
    const result: SyncResult = { created: 0, updated: 0, unchanged: 0 };
    const now = new Date();
    for (const chat of chats) {
      const altChatId = chat.altChatId ?? null;
      const lookup =
        isLid(chat.chatId) && personIdOf(chat.chatId) === chat.chatId && altChatId === null
          ? newOutboxCommand(CommandType.CONTACT_LOOKUP, ref, { lid: chat.chatId }, now)
          : null;
      const synced = await this.statements.onConnection((run) =>
        upsertSyncedChat(
          run,
          ref,
          {
            chatId: chat.chatId,
            altChatId,
            name: chat.name,
            unreadCount: chat.unreadCount,
            activityAt: chat.activityAt ?? chat.lastMessage?.timestamp ?? now,
          },
          lookup,
          actor,
          now,
        ),
      );
      if (synced.lookup) this.outbox.notifyCommitted();
      await this.reconcile(ref, chat.chatId, altChatId, synced);
      let outcome: StoreOutcome = synced.outcome;
      if (chat.lastMessage) {
        const stored = await this.ingest.storeMessage(ref, chat.lastMessage, actor, { source: 'sync' });
        // The overview comes first: a missed message that is its chat's last is recovered here.
        if (stored === 'created') this.metrics.reconciledMessages.inc();
        if (outcome === 'unchanged' && stored !== 'unchanged') outcome = 'updated';
      }
      result[outcome === 'created' ? 'created' : outcome === 'updated' ? 'updated' : 'unchanged'] += 1;
    }
    return result;
  }

  /** As the hot path does after a new chat or a contact's new id (see MessageIngestService). */
  private async reconcile(
    ref: SessionRef,
    chatId: string,
    altChatId: string | null,
    synced: SyncedChatOutcome,
  ): Promise<void> {
    const known = synced.known;
    try {
      if (
        altChatId !== null &&
        (known === null || (known.chat_id !== altChatId && known.alt_chat_id !== altChatId))
      ) {
        const [lid, phoneId] = isLid(altChatId) ? [altChatId, chatId] : [chatId, altChatId];
        await this.contactIds.link(ref, lid, phoneId);
      } else if (synced.outcome === 'created') {
        await this.contactIds.reconcile(ref, chatId);
      }
    } catch (error) {
      this.logger.error(
        `Linking the ids of chat ${chatId} of session ${ref.sessionId} failed: ${String(error)}`,
      );
    }
  }

  /** Messages from WAHA's chat messages API, stored like webhooks' but as history. */
  async upsertMessages(ref: SessionRef, messages: IncomingMessage[], actor: Actor): Promise<SyncResult> {
    const result: SyncResult = { created: 0, updated: 0, unchanged: 0 };
    for (const message of messages) {
      const outcome = await this.ingest.storeMessage(ref, message, actor, { source: 'sync' });
      if (outcome === 'created') result.created += 1;
      else if (outcome === 'updated') result.updated += 1;
      else result.unchanged += 1;
    }
    if (result.created > 0) this.metrics.reconciledMessages.inc(result.created);
    return result;
  }
}
