import { EntityManager, LockMode } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { validIdArgument } from '../common/input-checks.js';
import { CommandType } from '../outbox/commands.js';
import { Chat } from './chat.entity.js';
import { Message } from './message.entity.js';
import { MessageEvents } from './message-events.js';
import { type SessionRef } from './message-rows.js';
import { chatRecordOf, loadMessageParts, messageRecordOf } from './message-views.js';
import { subjectName, validGroupChatId, validParticipants } from './group-participants.js';
import { ContactIdsService } from './contact-ids.service.js';
import { MessageChangesService } from './message-changes.service.js';
import { commandTime, validReaction } from './outbound-reactions.js';

const LID = /^\d{1,40}@lid$/;
const PHONE_ID = /^\d{1,40}@c\.us$/;

/** The session a report is about, as n8n names it (n8n has no tenant: the session's own counts). */
export interface ReportedSession extends SessionRef {
  /** The linked account (`me.id`), the sender of the reactions this service sends. */
  meId: string | null;
}

export interface GroupParticipantsReport {
  commandId?: string | null;
  chatId: string;
  subject?: string | null;
  participants: { id: string; phoneId?: string | null; role?: string | null }[];
}

/**
 * n8n's reports about what was asked of WAHA besides sending messages: a reaction sent, a
 * group's participants listed, a contact's phone-number id. The first two are dated by the
 * command they answer (commandTime), so a retried report changes nothing and an older request's
 * late report loses to a newer one; each publishes whatsappMessageUpserted after commit when it
 * changed something.
 */
@Injectable()
export class OutboundReportsService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: MessageEvents,
    private readonly changes: MessageChangesService,
    private readonly contactIds: ContactIdsService,
  ) {}

  /**
   * contact.lookup: WAHA's phone-number id of a LID, where it knows one; the two ids become one
   * chat (ContactIdsService.link, idempotent). True when that changed a chat; false when WAHA
   * does not know (`phoneId` null) or the ids were already one chat's.
   */
  async contactIdsFound(
    session: ReportedSession,
    report: { lid: string; phoneId?: string | null },
  ): Promise<boolean> {
    const lid = validIdArgument(report.lid, 'input.lid');
    if (!LID.test(lid)) throw DomainError.badInput('input.lid', 'A LID is <digits>@lid');
    const phoneId = report.phoneId ?? null;
    if (phoneId !== null && !PHONE_ID.test(validIdArgument(phoneId, 'input.phoneId'))) {
      throw DomainError.badInput('input.phoneId', 'A phone-number id is <digits>@c.us');
    }
    if (phoneId === null) return false;
    const outcome = await this.contactIds.link(
      { tenantId: session.tenantId, sessionId: session.sessionId },
      lid,
      phoneId,
    );
    return outcome === 'linked' || outcome === 'merged';
  }

  /**
   * message.react succeeded: the linked account's reaction to the message (sender = `me`,
   * fromMe), '' = removed. True when it changed what is stored.
   */
  async reactionSent(
    session: ReportedSession,
    report: { commandId?: string | null; messageId: string; reaction: string },
  ): Promise<boolean> {
    validIdArgument(report.messageId, 'input.messageId');
    const reaction = validReaction(report.reaction, 'input.reaction');
    if (!session.meId) {
      throw new DomainError(ErrorCode.FAILED_PRECONDITION, 'The session has no linked account to react as', {
        details: { me: null },
      });
    }
    const em = this.em.fork();
    const message = await em.findOne(
      Message,
      { session: session.sessionId, wahaId: report.messageId },
      { filters: { tenant: false } },
    );
    if (!message) {
      throw new DomainError(
        ErrorCode.NOT_FOUND,
        `Message ${JSON.stringify(report.messageId)} was not found`,
        {
          field: 'input.messageId',
        },
      );
    }
    const at = await commandTime(em, CommandType.MESSAGE_REACT, session.sessionId, report.commandId);
    // The same store as WAHA's message.reaction (one row per sender, newer wins, '' kept): our
    // own reaction may also come back from WAHA as an event, and both must agree.
    const { outcome } = await this.changes.storeReaction(
      { tenantId: session.tenantId, sessionId: session.sessionId },
      { messageWahaId: report.messageId, senderId: session.meId, fromMe: true, reaction, at },
      {},
    );
    return outcome === 'applied';
  }

  /**
   * group.participants: WAHA's members of the group (and its subject, as the chat's name when
   * given), with when they were fetched. True when stored; false for a retry or a report older
   * than the one stored. NOT_FOUND when the session has no such chat.
   */
  async groupParticipants(
    session: ReportedSession,
    report: GroupParticipantsReport,
    actor: Actor,
  ): Promise<boolean> {
    const chatId = validGroupChatId(report.chatId, 'input.chatId');
    const participants = validParticipants(report.participants, 'input.participants');
    const name = subjectName(report.subject);
    const at = await commandTime(
      this.em.fork(),
      CommandType.GROUP_PARTICIPANTS,
      session.sessionId,
      report.commandId,
    );
    const chatPk = await this.em.fork().transactional(async (em) => {
      const chat = await em.findOne(
        Chat,
        { session: session.sessionId, chatId },
        { lockMode: LockMode.PESSIMISTIC_WRITE, filters: { tenant: false } },
      );
      if (!chat) {
        throw new DomainError(ErrorCode.NOT_FOUND, `Chat ${JSON.stringify(chatId)} was not found`, {
          field: 'input.chatId',
        });
      }
      if (chat.participantsFetchedAt && chat.participantsFetchedAt >= at) return null;
      chat.participants = participants;
      chat.participantsFetchedAt = at;
      if (name !== null) chat.name = name;
      chat.updatedBy = actor;
      return chat.id;
    });
    if (chatPk === null) return false;
    await this.publishChat(session, chatPk);
    return true;
  }

  /** The message (by our id) with its chat and parts, to the tenant's dashboards. */
  private async publish(ref: SessionRef, messagePk: string): Promise<void> {
    const em = this.em.fork();
    const message = await em.findOneOrFail(
      Message,
      { id: messagePk },
      { filters: { tenant: false }, populate: ['chat'], strategy: 'joined' },
    );
    const [record] = await loadMessageParts(em, ref.sessionId, [messageRecordOf(message)]);
    this.events.publishStored(ref, chatRecordOf(message.chat), record!);
  }

  /**
   * A chat's change (its participants) reaches dashboards on whatsappMessageUpserted, the one
   * stream a chat list follows, with the chat's last message; a chat without messages has no
   * event to carry it and is read as it is.
   */
  private async publishChat(ref: SessionRef, chatPk: string): Promise<void> {
    const em = this.em.fork();
    const chat = await em.findOneOrFail(Chat, { id: chatPk }, { filters: { tenant: false } });
    if (chat.lastMessage) await this.publish(ref, chat.lastMessage.id);
  }
}
