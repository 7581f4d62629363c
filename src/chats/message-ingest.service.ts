import { EntityManager, ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { PreparedStatements } from '../database/prepared-statements.js';
import { newRowId } from '../database/row-ids.js';
import { type ReceivedEvent } from '../inbox/webhook-events.js';
import { type CommandPayloads, CommandType } from '../outbox/commands.js';
import { newOutboxCommand } from '../outbox/outbox-rows.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { type IncomingMessage } from '../waha/waha-message.js';
import { MessageEvents } from './message-events.js';
import { chatRecord, messageRecord, type SessionRef } from './message-rows.js';
import { applyAck, insertMessage, lockMessageForEvent, sweepHeldAck } from './message-sql.js';

/**
 * Where a message comes from. A webhook is news: it counts as unread and inbound messages go
 * to n8n's automations. A sync imports history: neither, and WAHA's own unread count wins.
 */
export type MessageSource = 'webhook' | 'sync';

export type StoreOutcome = 'duplicate' | 'created' | 'updated' | 'unchanged';

/**
 * WAHA's messages and acks, as its webhooks (and n8n's syncs) deliver them: the hot path. WAHA
 * has no tenant, so this works in plain SQL across tenants on purpose (message-sql.ts), and the
 * tenant of every row is the session's own. Every write is idempotent, and events are published
 * only after commit and only when something changed.
 */
@Injectable()
export class MessageIngestService {
  constructor(
    private readonly em: EntityManager,
    private readonly statements: PreparedStatements,
    private readonly outbox: OutboxService,
    private readonly events: MessageEvents,
  ) {}

  /**
   * Stores a message from a webhook or a sync: upserts its chat, inserts the message (or, for
   * a WAHA id already stored, moves its ack forward and fills what was missing), keeps the
   * chat's last message and unread count, applies an ack that came first, and for an inbound
   * webhook message writes its message.received command. With `event`, the event's dedupe row
   * is written first: a redelivery is 'duplicate' and changes nothing.
   *
   * Hot path: ONE statement in autocommit (a writable CTE, see insertMessage), so one round trip
   * and one commit, and the chat's row lock is held only for that commit.
   */
  async storeMessage(
    ref: SessionRef,
    message: IncomingMessage,
    actor: Actor,
    options: { event?: ReceivedEvent; source: MessageSource },
  ): Promise<StoreOutcome> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.storeMessageOnce(ref, message, actor, options);
      } catch (error) {
        // The chat was new in our snapshot, and a concurrent event created it first: our message
        // named the chat id we made up, which was never inserted, so the whole statement was
        // refused (nothing stored). Again, with a snapshot that has the chat.
        const constraint = (error as { constraint?: unknown }).constraint;
        if (
          error instanceof ForeignKeyConstraintViolationException &&
          constraint === 'messages_chat_id_foreign' &&
          attempt < 3
        ) {
          continue;
        }
        throw error;
      }
    }
  }

  private async storeMessageOnce(
    ref: SessionRef,
    message: IncomingMessage,
    actor: Actor,
    options: { event?: ReceivedEvent; source: MessageSource },
  ): Promise<StoreOutcome> {
    const now = new Date();
    const news = !message.fromMe && options.source === 'webhook';
    const command = news
      ? newOutboxCommand(
          CommandType.MESSAGE_RECEIVED,
          ref,
          {
            chatId: message.chatId,
            messageId: message.wahaId,
            from: message.chatId,
            body: message.body,
            timestamp: message.timestamp.toISOString(),
            hasMedia: message.hasMedia,
          } satisfies CommandPayloads[typeof CommandType.MESSAGE_RECEIVED],
          now,
        )
      : null;
    // The statement and, when needed, the sweep of a held ack on one connection, released before
    // publishing.
    const { outcome, publish } = await this.statements.onConnection(async (run) => {
      const row = await insertMessage(run, {
        ref,
        event: options.event,
        message,
        news,
        command,
        actor,
        now,
        chatPk: newRowId(),
        messagePk: newRowId(),
      });
      if (row.fresh === 0) {
        // A redelivery. Its first delivery may have stored the message and stopped before the
        // sweep below (a crash): do it now, then it is done.
        const swept = await sweepHeldAck(run, ref, message.wahaId);
        return { outcome: 'duplicate' as const, publish: swept };
      }
      if (!row.id) return { outcome: 'unchanged' as const, publish: null };
      const stored = messageRecord(row);
      let chat = chatRecord(row.chat!);
      if (row.inserted) {
        const swept = await sweepHeldAck(run, ref, message.wahaId);
        if (swept) {
          stored.ack = swept.message.ack;
          stored.updatedAt = swept.message.updatedAt;
          chat = swept.chat;
        }
      }
      return {
        outcome: row.inserted ? ('created' as const) : ('updated' as const),
        publish: { message: stored, chat },
      };
    });
    if (command !== null && outcome === 'created') this.outbox.notifyCommitted();
    if (publish) this.events.publishStored(ref, publish.chat, publish.message);
    return outcome;
  }

  /**
   * Applies WAHA's `message.ack`: moves the message's ack forward only; for an id not stored
   * yet, holds the ack until the message arrives (storeMessage) or n8n reports it (reportSent).
   */
  async storeAck(
    ref: SessionRef,
    wahaId: string,
    ack: number,
    actor: Actor,
    options: { event?: ReceivedEvent },
  ): Promise<StoreOutcome> {
    const now = new Date();
    const applied = await this.em.fork().transactional(async (em) => {
      if (!(await lockMessageForEvent(em, ref, options.event, wahaId, now))) return 'duplicate';
      return applyAck(em, ref, wahaId, ack, actor, now);
    });
    if (applied === 'duplicate') return 'duplicate';
    if (applied.message) {
      this.events.publishStored(ref, applied.chat, applied.message);
      return 'updated';
    }
    return applied.held ? 'updated' : 'unchanged';
  }
}
