import { EntityManager, LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Injectable, Logger } from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { retryOnDeadlock } from '../database/deadlocks.js';
import { Metrics } from '../observability/metrics.js';
import { validIdArgument } from '../common/input-checks.js';
import { isCleanId, storableText } from '../common/storable.js';
import { chatIdOfWahaMessageId } from '../waha/chat-ids.js';
import { Chat } from './chat.entity.js';
import { type MessageRecord } from './chats.mapper.js';
import { Ack } from '../waha/acks.js';
import { ackAdvances } from './delivery-status.js';
import { Message } from './message.entity.js';
import { MessageEvents } from './message-events.js';
import { chatWithMessage } from './contact-ids-sql.js';
import { messageRecord } from './message-rows.js';
import {
  deleteCopies,
  deleteHeldAcks,
  lockedChatPk,
  lockMessage,
  lockReportChats,
  markSent,
  messageForUpdate,
  refreshLastMessage,
  wahaChatIdsOf,
} from './write-back-sql.js';
import { writeStatusDeliveries } from './webhook-event-sql.js';

/**
 * n8n's reports about the messages a dashboard sent: SENT with WAHA's id, or FAILED. n8n has no
 * tenant, so these find the message by its id across tenants on purpose; the tenant of every
 * row is the message's own. Both are idempotent (n8n may retry), and publish only after commit
 * and only when something changed.
 */
@Injectable()
export class MessageReportsService {
  private readonly logger = new Logger(MessageReportsService.name);

  constructor(
    private readonly em: EntityManager,
    private readonly events: MessageEvents,
    private readonly metrics: Metrics,
  ) {}

  /**
   * n8n sent our message: record WAHA's id so its webhooks find this row. A copy that WAHA's
   * `message.any` already stored under that id is merged into ours (best ack wins) and removed;
   * a held ack is applied; so is a copy WAHA stored under the chat's other id (the contact's LID
   * for a phone number, or back). If WAHA's id names another chat than the one we guessed from a
   * phone number (and not by its other id), the message moves there. Idempotent; CONFLICT if the message has another WAHA id.
   */
  async reportSent(messageId: string, wahaId: string, actor: Actor): Promise<MessageRecord> {
    validIdArgument(messageId, 'input.messageId');
    const wahaChatId = chatIdOfWahaMessageId(wahaId);
    if (!wahaId.startsWith('true_') || !wahaChatId || !isCleanId(wahaId, 200)) {
      throw DomainError.badInput(
        'input.wahaMessageId',
        "WAHA's message id of a sent message looks like true_<chatId>_<id>",
      );
    }
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await retryOnDeadlock(
          () => this.applySent(messageId, wahaId, wahaChatId, actor),
          (again) => {
            this.metrics.deadlockRetries.inc({ operation: 'report_sent' });
            this.logger.warn(`A SENT report was chosen as a deadlock's victim; again (attempt ${again})`);
          },
        );
      } catch (error) {
        // A webhook stored the same WAHA id between our check and our update: merge it on a retry.
        if (error instanceof UniqueConstraintViolationException && attempt < 3) continue;
        throw error;
      }
    }
  }

  private async applySent(
    messageId: string,
    wahaId: string,
    wahaChatId: string,
    actor: Actor,
  ): Promise<MessageRecord> {
    const now = new Date();
    const published: (() => void)[] = [];
    const result = await this.em.fork().transactional(async (em) => {
      await lockMessage(em, messageId, wahaId);
      await lockReportChats(em, messageId, wahaId, wahaChatId);
      const current = await messageForUpdate(em, messageId);
      if (!current) throw DomainError.notFound('Message', messageId);
      const ref = { tenantId: current.tenant_id, sessionId: current.session_id };
      if (current.waha_id !== null && current.waha_id !== wahaId) {
        throw new DomainError(
          ErrorCode.CONFLICT,
          `Message ${JSON.stringify(messageId)} was already reported sent as ${JSON.stringify(current.waha_id)}`,
          { field: 'input.wahaMessageId' },
        );
      }
      if (!current.from_me) {
        throw DomainError.badInput(
          'input.messageId',
          'Only a message this service sent can be reported sent',
        );
      }
      let ack = current.ack;
      const replaced: string[] = [];
      const touchedChats = new Set<string>([current.chat_id]);
      if (ackAdvances(ack, Ack.SERVER)) ack = Ack.SERVER;
      if (current.waha_id === null) {
        // The held acks first, then the copies: the order in which the sweep after a new message
        // (sweepAfterInsert, which runs without the message's lock) locks the same rows. The other
        // order deadlocked with it when a copy, its ack and this report came together.
        for (const hold of await deleteHeldAcks(em, ref.sessionId, wahaId)) {
          if (ackAdvances(ack, hold.ack)) ack = hold.ack;
        }
        for (const copy of await deleteCopies(em, ref.sessionId, wahaId, messageId)) {
          if (ackAdvances(ack, copy.ack)) ack = copy.ack;
          replaced.push(copy.id);
          touchedChats.add(copy.chat_id);
        }
      }
      let chatPk = current.chat_id;
      if (!(await wahaChatIdsOf(em, chatPk)).includes(wahaChatId)) {
        chatPk = await lockedChatPk(em, ref, wahaChatId, current.timestamp, actor, now);
        touchedChats.add(chatPk);
      }
      const changed =
        current.waha_id !== wahaId ||
        current.ack !== ack ||
        current.chat_id !== chatPk ||
        replaced.length > 0;
      if (!changed) return messageRecord(current);
      const updated = await markSent(em, messageId, { wahaId, ack, chatPk }, actor, now);
      if (current.ack !== ack) await writeStatusDeliveries(em, ref, messageId);
      const droppedChats: string[] = [];
      for (const pk of touchedChats) {
        // The chat's last message may have been the removed copy, or the message moved away.
        if (await refreshLastMessage(em, pk, { dropIfEmpty: pk !== chatPk })) droppedChats.push(pk);
      }
      const record = messageRecord(updated);
      const shown = await chatWithMessage(em, chatPk, messageId);
      if (shown?.message) {
        const { chat, message } = shown;
        const gone = { messages: replaced, chats: droppedChats };
        published.push(() => this.events.publishStored(ref, chat, message, gone));
      }
      return record;
    });
    for (const publish of published) publish();
    return result;
  }

  /** n8n could not send our message: FAILED with the reason, unless it was sent after all. */
  async reportFailed(
    messageId: string,
    failure: { reason: string; wahaStatusCode?: number | null; wahaMessage?: string | null },
    actor: Actor,
  ): Promise<MessageRecord> {
    const upstream = failure.wahaStatusCode
      ? ` (WAHA ${failure.wahaStatusCode}${failure.wahaMessage ? `: ${failure.wahaMessage}` : ''})`
      : failure.wahaMessage
        ? ` (WAHA: ${failure.wahaMessage})`
        : '';
    // WAHA's and n8n's words, shown as they are, as far as PostgreSQL can hold them (storableText).
    const reason = storableText(`${failure.reason}${upstream}`, 2000);
    validIdArgument(messageId, 'input.messageId');
    if (!failure.reason.trim()) throw DomainError.badInput('input.reason', 'A reason is required');
    const published: (() => void)[] = [];
    const result = await this.em.fork().transactional(async (em) => {
      // n8n has no tenant: the message's own tenant is the one that counts.
      const current = await em.findOne(
        Message,
        { id: messageId },
        { lockMode: LockMode.PESSIMISTIC_WRITE, filters: { tenant: false } },
      );
      if (!current) throw DomainError.notFound('Message', messageId);
      if (!current.fromMe) {
        throw DomainError.badInput(
          'input.messageId',
          'Only a message this service sent can be reported failed',
        );
      }
      if (
        !ackAdvances(current.ack, Ack.ERROR) &&
        !(current.ack === Ack.ERROR && current.failureReason !== reason)
      ) {
        return current;
      }
      const statusChanged = current.ack !== Ack.ERROR;
      current.ack = Ack.ERROR;
      current.failureReason = reason;
      current.updatedBy = actor;
      await em.flush();
      const chat = await em.findOneOrFail(Chat, { id: current.chat.id }, { filters: { tenant: false } });
      const ref = { tenantId: current.tenant.id, sessionId: current.session.id };
      if (statusChanged) await writeStatusDeliveries(em, ref, current.id);
      published.push(() => this.events.publishStored(ref, chat, current));
      return current;
    });
    for (const publish of published) publish();
    return result;
  }
}
