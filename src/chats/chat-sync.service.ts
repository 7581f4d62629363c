import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { type IncomingMessage } from '../waha/waha-message.js';
import { MessageIngestService, type StoreOutcome } from './message-ingest.service.js';
import { type SessionRef } from './message-rows.js';
import { upsertSyncedChat } from './write-back-sql.js';

export interface SyncResult {
  created: number;
  updated: number;
  unchanged: number;
}

/**
 * n8n's chats.sync write-backs: WAHA's chats overview and its chats' recent messages, stored in
 * the same rows as webhooks' and without duplicates, as history (no unread, no automations).
 * Across tenants on purpose, like every n8n write-back: the tenant is the session's own.
 */
@Injectable()
export class ChatSyncService {
  constructor(
    private readonly em: EntityManager,
    private readonly ingest: MessageIngestService,
  ) {}

  /**
   * Chats from WAHA's chats overview: created or updated in place (name, unread count), never
   * duplicated; each summary's last message is stored like a synced message.
   */
  async upsertChats(
    ref: SessionRef,
    chats: {
      chatId: string;
      name: string | null;
      unreadCount: number | null;
      activityAt: Date | null;
      lastMessage: IncomingMessage | null;
    }[],
    actor: Actor,
  ): Promise<SyncResult> {
    const result: SyncResult = { created: 0, updated: 0, unchanged: 0 };
    const now = new Date();
    for (const chat of chats) {
      let outcome: StoreOutcome = await upsertSyncedChat(
        this.em.fork(),
        ref,
        {
          chatId: chat.chatId,
          name: chat.name,
          unreadCount: chat.unreadCount,
          activityAt: chat.activityAt ?? chat.lastMessage?.timestamp ?? now,
        },
        actor,
        now,
      );
      if (chat.lastMessage) {
        const stored = await this.ingest.storeMessage(ref, chat.lastMessage, actor, { source: 'sync' });
        if (outcome === 'unchanged' && stored !== 'unchanged') outcome = 'updated';
      }
      result[outcome === 'created' ? 'created' : outcome === 'updated' ? 'updated' : 'unchanged'] += 1;
    }
    return result;
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
    return result;
  }
}
