import {
  EntityManager,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { type Actor } from '../common/audit.js';
import { retryOnDeadlock } from '../database/deadlocks.js';
import { committed, PreparedStatements } from '../database/prepared-statements.js';
import { newRowId } from '../database/row-ids.js';
import { type ReceivedEvent } from '../inbox/webhook-events.js';
import { MediaState } from '../media/media.entity.js';
import { type NewMedia } from '../media/media-rows.js';
import { Metrics } from '../observability/metrics.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { isLid, personIdOf, twinWahaId } from '../waha/chat-ids.js';
import { type IncomingMessage, withEventMilliseconds } from '../waha/waha-message.js';
import { type ChatRecord, type MessageRecord } from './chats.mapper.js';
import { ContactIdsService } from './contact-ids.service.js';
import { MediaDownloadWorker } from './media-download.worker.js';
import {
  applyAck,
  lockMessageForEvent,
  type Swept,
  sweepAfterInsert,
  sweepBatchAfterInsert,
  sweptKey,
} from './message-ack-sql.js';
import { MessageEvents } from './message-events.js';
import { type MediaModel } from './message-parts.model.js';
import { chatRecord, messageRecord, type SessionRef, withParts } from './message-rows.js';
import { type Continuation, MessageBatcher } from './message-batcher.js';
import { chatKeyOf, type PreparedMessage, prepareMessage } from './message-batch-input.js';
import { insertMessage, type MessageInsert, type MessageInsertRow } from './message-sql.js';

/**
 * Where a message comes from. A webhook is news: it counts as unread and inbound messages go
 * to n8n's automations. A sync imports history: neither, and WAHA's own unread count wins.
 */
export type MessageSource = 'webhook' | 'sync';

export type StoreOutcome = 'duplicate' | 'created' | 'updated' | 'unchanged';

/** Constraints a message statement may break only because a concurrent one changed what it read: worth another try. */
const RACED_CONSTRAINTS = new Set(['messages_chat_id_foreign', 'chats_session_id_alt_chat_id_unique']);

/** What a message statement left to do after its commit. */
interface AfterStore {
  outcome: StoreOutcome;
  publish: { message: MessageRecord; chat: ChatRecord } | null;
  /** Another row of the same message (its copy under the chat's other id), to merge. */
  twin: string | null;
  /** The contact's ids to link (the message named both), or a new chat's id to reconcile. */
  link: { lid: string; phoneId: string } | null;
  reconcile: string | null;
  commands: boolean;
  pendingMedia: boolean;
}

/** A media row just written, as the API shows it (its size and hash come once it is READY). */
function mediaViewOfNew(media: NewMedia): MediaModel {
  return {
    id: media.id,
    state: media.state,
    mimetype: media.mimetype,
    filename: media.filename,
    size: null,
    sha256: null,
    failureReason: media.failureReason,
  };
}

/**
 * WAHA's messages and acks, as its webhooks (and n8n's syncs) deliver them: the hot path. WAHA
 * has no tenant, so this works in plain SQL across tenants on purpose (message-sql.ts), and the
 * tenant of every row is the session's own. Every write is idempotent, and events are published
 * only after commit and only when something changed.
 */
@Injectable()
export class MessageIngestService {
  private readonly logger = new Logger(MessageIngestService.name);
  private readonly batcher: MessageBatcher<PreparedMessage, StoreOutcome>;

  constructor(
    private readonly em: EntityManager,
    private readonly statements: PreparedStatements,
    private readonly outbox: OutboxService,
    private readonly events: MessageEvents,
    private readonly mediaDownloads: MediaDownloadWorker,
    private readonly contactIds: ContactIdsService,
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.batcher = new MessageBatcher({
      lanes: config.webhooks.batchLanes,
      maxEvents: config.webhooks.batchMaxEvents,
      keyOf: chatKeyOf,
      run: (inputs) => this.storeBatch(inputs),
    });
    metrics.gauge(
      'whatsapp_hub_webhook_messages_queued',
      'Webhook messages waiting for a batch (group commit): a steady queue means the batch lanes are all busy',
      [],
      async (set) => set({}, this.batcher.queued),
    );
  }

  /**
   * Stores a message from a webhook or a sync: upserts its chat (found by either of the
   * contact's ids), inserts the message with its media row (or, for a WAHA id already stored,
   * moves its ack forward and fills what was missing), keeps the chat's last message and unread
   * count, applies an ack that came first, and for an inbound webhook message writes its
   * message.received command. With `event`, the event's dedupe row is written first: a
   * redelivery is 'duplicate' and changes nothing.
   *
   * Hot path: ONE statement per message (a writable CTE, see insertMessage) and a sweep after
   * its commit (sweepAfterInsert). A webhook's message is committed together with the others that
   * arrived with it (group commit, see storeBatch); a sync's, and a lone webhook's, in autocommit.
   * Either way the outcome is answered only after the commit that holds the message. Rare cases
   * add their own work after the commit: a new chat or a contact's new id is reconciled with the
   * person's other chats (ContactIdsService), and two racing copies of one message are made one.
   */
  async storeMessage(
    ref: SessionRef,
    message: IncomingMessage,
    actor: Actor,
    options: { event?: ReceivedEvent; source: MessageSource },
  ): Promise<StoreOutcome> {
    const news = !message.fromMe && options.source === 'webhook';
    // A webhook's event time orders the messages of one second (withEventMilliseconds).
    const timed =
      options.event !== undefined && options.source === 'webhook'
        ? withEventMilliseconds(message, options.event.occurredAt)
        : message;
    const input = prepareMessage(ref, timed, actor, { event: options.event, news });
    if (options.event !== undefined && options.source === 'webhook') return this.batcher.submit(input);
    return this.finish(input, await this.storeAlone(input));
  }

  /** The message's statement alone, in autocommit, then its sweep; again when it raced (below). */
  private async storeAlone(input: PreparedMessage): Promise<AfterStore> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        // The statement and, when needed, the sweep on one connection, released before publishing.
        return await this.statements.onConnection(async (run) =>
          this.afterInsert(input, await insertMessage(run, this.insertOf(input)), (twins) =>
            this.sweep(() => sweepAfterInsert(run, input.ref, input.message.wahaId, twins)),
          ),
        );
      } catch (error) {
        // The chat was new in our snapshot and a concurrent event created it first (our message
        // named the chat id we made up, which was never inserted), or a merge deleted the chat we
        // found, or another chat took the contact's other id first: the whole statement was
        // refused (nothing stored). Again, with a snapshot that has what happened.
        const constraint = (error as { constraint?: unknown }).constraint;
        if (
          (error instanceof ForeignKeyConstraintViolationException ||
            error instanceof UniqueConstraintViolationException) &&
          typeof constraint === 'string' &&
          RACED_CONSTRAINTS.has(constraint) &&
          attempt < 4
        ) {
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * Group commit (MessageBatcher): the batch's statements, in lock order, in ONE transaction,
   * so they share one commit (one WAL flush); then, after that commit, each message's sweep
   * (it must follow the commit, see sweepAfterInsert). The BEGIN, the statements and the COMMIT
   * are sent at once on a pipelined connection (PreparedStatements.pipelined): one round trip
   * and one write for the transaction, not one per statement. On any error the transaction is
   * rolled back whole and each message is stored alone, as if it had come by itself: a bad event
   * fails only itself, and a deadlock or a race (a chat created meanwhile) resolves as it does
   * alone. The same event twice in a batch has one effect: the second statement sees the first's
   * dedupe row (same transaction) and is a duplicate; the message's advisory lock is re-entrant.
   */
  private async storeBatch(inputs: PreparedMessage[]): Promise<Continuation<StoreOutcome>[]> {
    this.metrics.webhookMessageBatches.observe(inputs.length);
    if (inputs.length > 1) {
      try {
        const afters = await this.statements.pipelined(async ({ run, command }) => {
          const rows = await committed(
            command('begin'),
            inputs.map((input) => insertMessage(run, this.insertOf(input))),
            command('commit'),
          );
          // Committed: from here on each message is answered on its own. The held acks of all in
          // one statement (if it fails, each message sweeps alone); a message with copies under
          // its chat's other id sweeps for them alone.
          const held = await this.sweep(() =>
            sweepBatchAfterInsert(
              run,
              inputs.map((input) => ({ ref: input.ref, wahaId: input.message.wahaId })),
            ),
          ).catch(() => null);
          const settled: (AfterStore | { failed: unknown })[] = [];
          for (const [i, input] of inputs.entries()) {
            const { ref, message } = input;
            const key = sweptKey(ref.sessionId, message.wahaId);
            const after = this.afterInsert(input, rows[i]!, async (twins) => {
              if (twins.length > 0 || held === null)
                return this.sweep(() => sweepAfterInsert(run, ref, message.wahaId, twins));
              // Once: the same message twice in the batch publishes what was swept once.
              const applied = held.get(key) ?? null;
              held.delete(key);
              return { applied, twin: null };
            });
            settled.push(await after.catch((failed: unknown) => ({ failed })));
          }
          return settled;
        });
        return inputs.map((input, i) => {
          const after = afters[i]!;
          return 'failed' in after ? () => Promise.reject(after.failed) : () => this.finish(input, after);
        });
      } catch (error) {
        this.metrics.webhookMessageBatchFallbacks.inc();
        this.logger.warn(
          `A batch of ${inputs.length} webhook messages was rolled back (${
            error instanceof Error ? error.message : String(error)
          }); storing each alone`,
        );
      }
    }
    const continuations: Continuation<StoreOutcome>[] = [];
    for (const input of inputs) {
      try {
        const after = await this.storeAlone(input);
        continuations.push(() => this.finish(input, after));
      } catch (error) {
        continuations.push(() => Promise.reject(error));
      }
    }
    return continuations;
  }

  /** The message's statement input; new row ids each time (a statement run again makes new ones). */
  private insertOf(input: PreparedMessage): MessageInsert {
    return { ...input, chatPk: newRowId(), messagePk: newRowId() };
  }

  /** After the message's statement (and its commit): the sweep (`sweepOf`, see sweepAfterInsert), and what is left to do. */
  private async afterInsert(
    input: PreparedMessage,
    row: MessageInsertRow,
    sweepOf: (twins: string[]) => Promise<Swept>,
  ): Promise<AfterStore> {
    const { message, command, lookup, media } = input;
    const none = { twin: null, link: null, reconcile: null, commands: false, pendingMedia: false };
    if (row.fresh === 0) {
      // A redelivery. Its first delivery may have stored the message and stopped before the
      // sweep below (a crash): do it now, then it is done.
      const swept = await sweepOf([]);
      return { ...none, outcome: 'duplicate', publish: swept.applied };
    }
    const ids = this.idsToReconcile(message, row);
    const mediaCreated = row.media_created > 0 && media !== null;
    const after = {
      ...none,
      ...ids,
      commands:
        (command !== null && row.inserted === true) || (lookup !== null && row.chat?.created === true),
      pendingMedia: mediaCreated && media.state === MediaState.PENDING,
    };
    if (!row.id) return { ...after, outcome: 'unchanged', publish: null };
    const stored = withParts(messageRecord(row), row);
    if (mediaCreated) stored.mediaView = mediaViewOfNew(media);
    let chat = chatRecord(row.chat!);
    let twin: string | null = null;
    if (row.inserted) {
      // The message under the chat's other id (a person's chat has two ids at most).
      const twins = [...new Set([chat.chatId, chat.altChatId, message.altChatId])].flatMap((id) => {
        const other = id ? twinWahaId(message.wahaId, id) : null;
        return other ? [other] : [];
      });
      const swept = await sweepOf(twins);
      if (swept.applied) {
        stored.ack = swept.applied.message.ack;
        stored.updatedAt = swept.applied.message.updatedAt;
        chat = swept.applied.chat;
      }
      twin = swept.twin;
    }
    return {
      ...after,
      twin,
      outcome: row.inserted ? 'created' : 'updated',
      publish: { message: stored, chat },
    };
  }

  /** After the connection is released: wake the outbox and the media downloads, publish, reconcile. */
  private async finish(input: PreparedMessage, after: AfterStore): Promise<StoreOutcome> {
    if (after.commands) this.outbox.notifyCommitted();
    if (after.pendingMedia) this.mediaDownloads.wake();
    if (after.publish) this.events.publishStored(input.ref, after.publish.chat, after.publish.message);
    await this.followUp(input.ref, input.message, after);
    return after.outcome;
  }

  /**
   * The sweep after the message's commit, again if PostgreSQL broke a deadlock by failing it:
   * the sweep runs without the message's lock (see sweepAfterInsert), is one statement and
   * idempotent. Failing it would answer WAHA 500 for a message already stored, whose redelivery
   * is then a duplicate that publishes nothing.
   */
  private sweep<T>(work: () => Promise<T>): Promise<T> {
    return retryOnDeadlock(work, (again) => {
      this.metrics.deadlockRetries.inc({ operation: 'store_message' });
      this.logger.warn(
        `The sweep after a new message was chosen as a deadlock's victim; again (attempt ${again})`,
      );
    });
  }

  /**
   * The contact's ids to link after the commit: when the message names the contact's other id
   * and the chat found did not have it (or no chat was found), link both; when a chat was created
   * for a person, reconcile it (a concurrent statement may have given its id to another chat).
   */
  private idsToReconcile(
    message: IncomingMessage,
    row: MessageInsertRow,
  ): Pick<AfterStore, 'link' | 'reconcile'> {
    const alt = message.altChatId;
    const known = row.known;
    if (alt !== null && (known === null || (known.chat_id !== alt && known.alt_chat_id !== alt))) {
      const [lid, phoneId] = isLid(alt) ? [alt, message.chatId] : [message.chatId, alt];
      return { link: { lid, phoneId }, reconcile: null };
    }
    if (row.chat?.created && personIdOf(message.chatId) === message.chatId) {
      return { link: null, reconcile: message.chatId };
    }
    return { link: null, reconcile: null };
  }

  /**
   * The rare work after a commit (see storeMessage). The message is stored whatever happens
   * here; a failure is logged, and the next message naming the contact's ids reconciles again.
   */
  private async followUp(ref: SessionRef, message: IncomingMessage, after: AfterStore): Promise<void> {
    try {
      if (after.twin !== null) await this.contactIds.mergeCopies(ref, [message.wahaId, after.twin]);
      if (after.link !== null) await this.contactIds.link(ref, after.link.lid, after.link.phoneId);
      else if (after.reconcile !== null) await this.contactIds.reconcile(ref, after.reconcile);
    } catch (error) {
      this.logger.error(
        `Message ${message.wahaId} of session ${ref.sessionId} is stored; reconciling its contact's ids failed: ${
          error instanceof Error ? (error.stack ?? error.message) : String(error)
        }`,
      );
    }
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
