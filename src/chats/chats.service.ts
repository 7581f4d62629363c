import { EntityManager, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { type AuthContext } from '../auth/auth-context.js';
import { userActor } from '../common/audit.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { keyIfGlobal, keyOf } from '../common/global-ids.js';
import { validIdArgument } from '../common/input-checks.js';
import { MediaLinks } from '../media/media-links.js';
import { type CommandPayloads, CommandType } from '../outbox/commands.js';
import { OutboxCommand, OutboxStatus } from '../outbox/outbox-command.entity.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { SessionStatus, WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';
import { validIdempotencyKey } from '../whatsapp-sessions/whatsapp-session.validation.js';
import { Chat } from './chat.entity.js';
import { chatModelsOf, chatOf, messageModelOf, sessionOf } from './chat-lookups.js';
import { findChat } from './contact-ids.service.js';
import { type ChatModel, type MessageModel } from './chats.model.js';
import { type MessageRecord, toMessageModel } from './chats.mapper.js';
import {
  type ChatRefArgs,
  type ReactToWhatsappMessageInput,
  type SendWhatsappMessageArgs,
  type SyncWhatsappChatsArgs,
} from './dto/chats.inputs.js';
import { isGroupChatId } from '../waha/chat-ids.js';
import { validGroupChatId } from './group-participants.js';
import { Message } from './message.entity.js';
import { MessageEvents } from './message-events.js';
import { sendableMedia } from './outbound-media.js';
import { validReaction } from './outbound-reactions.js';
import {
  assertSameSend,
  type Outbound,
  replyOf,
  type SendRequest,
  storeSend,
  validSendText,
} from './outbound-sends.js';
import { quotedWahaId, reactionTarget, replyTarget } from './outbound-targets.js';
import { validRecipient } from './recipient.js';

const SYNC_DEFAULT_LIMIT = 20;
const SYNC_MAX_LIMIT = 100;

/** An optional id argument: null when not given, else judged (BAD_USER_INPUT on `field`). */
function optionalId(value: string | null | undefined, field: string): string | null {
  return value === null || value === undefined ? null : validIdArgument(value, field);
}

/** Sending, reacting and WAHA's chats and groups need a linked session: FAILED_PRECONDITION with its status. */
function assertWorking(session: WhatsappSession, what: string): void {
  if (session.status !== SessionStatus.WORKING) {
    const verb = what.endsWith('s') ? 'need' : 'needs';
    throw new DomainError(
      ErrorCode.FAILED_PRECONDITION,
      `The session is ${session.status}; ${what} ${verb} WORKING`,
      {
        details: { status: session.status, expected: [SessionStatus.WORKING] },
      },
    );
  }
}

function syncLimit(value: number | null | undefined, field: string): number {
  if (value === null || value === undefined) return SYNC_DEFAULT_LIMIT;
  if (!Number.isInteger(value) || value < 1 || value > SYNC_MAX_LIMIT) {
    throw DomainError.badInput(field, `${field} must be from 1 to ${SYNC_MAX_LIMIT}`);
  }
  return value;
}

/**
 * The tenant's chats and messages. Every read runs under the tenant filter the AccessGuard set
 * from the caller's token, so another tenant's session, chat or message is simply not found.
 */
@Injectable()
export class ChatsService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxService,
    private readonly events: MessageEvents,
    private readonly mediaLinks: MediaLinks,
  ) {}

  /** One chat, by its id or any of its chatIds (a contact WAHA names by phone number and by LID). */
  async chatOf(args: ChatRefArgs): Promise<ChatModel> {
    const chat = await this.chat(args.sessionId, args.chatId);
    await this.em.populate(chat, ['lastMessage']);
    const [model] = await this.chatModels([chat], args.sessionId);
    return model!;
  }

  /**
   * Stores the message PENDING and asks n8n to send it (message.send): a text, or an uploaded
   * file with `text` as its caption, optionally replying to a message of the chat. n8n reports
   * SENT with WAHA's id or FAILED, and WAHA's acks move it on from there.
   */
  async send(auth: AuthContext, args: SendWhatsappMessageArgs): Promise<MessageModel> {
    const recipient = validRecipient(args.to, 'to');
    const mediaId = args.mediaId == null ? null : keyOf('WhatsappMedia', args.mediaId, 'mediaId');
    const replyTo = optionalId(args.replyTo, 'replyTo');
    // The caption rules depend on the file's kind: judged once the file is known, and here
    // already where they hold for any file, so bad text is refused before any lookup.
    validSendText(args.text, mediaId ? { kind: 'document' } : null);
    const idempotencyKey =
      args.idempotencyKey === null || args.idempotencyKey === undefined
        ? null
        : validIdempotencyKey(args.idempotencyKey, 'idempotencyKey');
    const session = await this.session(args.sessionId);
    const request = { chatIds: [recipient.chatId], text: args.text, replyTo, mediaId };
    if (idempotencyKey) {
      const earlier = await this.earlierSend(session.id, idempotencyKey);
      if (earlier) {
        // The first try may have named the quoted message by our id or by WAHA's: compare WAHA's.
        request.replyTo = replyTo && (await quotedWahaId(this.em, session.id, replyTo));
        return this.sameSend(earlier, request, session.id);
      }
    }
    assertWorking(session, 'sending');
    const chat = await findChat(this.em, session.id, recipient.chatId);
    const quoted = replyTo ? await replyTarget(this.em, chat, replyTo, 'replyTo') : null;
    const media = args.mediaId ? await sendableMedia(this.em, args.mediaId, session.id, 'mediaId') : null;
    if (media) validSendText(args.text, media);
    const outbound: Outbound = {
      chatId: chat?.chatId ?? recipient.chatId,
      // A chat the session has is on WhatsApp: n8n sends to its id as it is, without a
      // check-exists that could answer the contact's other id.
      phoneNumber: chat ? null : recipient.phoneNumber,
      text: args.text,
      replyTo: quoted ? replyOf(quoted) : null,
      media: media ? { ...media, url: this.mediaLinks.sendUrl(auth.tenantId, media.id) } : null,
    };
    const ref = { tenantId: auth.tenantId, sessionId: session.id };
    const deps = { em: this.em, outbox: this.outbox, events: this.events };
    let message: MessageRecord;
    try {
      message = await storeSend(deps, ref, outbound, idempotencyKey, userActor(auth.userId));
    } catch (error) {
      // A concurrent retry with the same idempotency key stored it first.
      if (error instanceof UniqueConstraintViolationException && idempotencyKey) {
        const earlier = await this.earlierSend(session.id, idempotencyKey);
        if (earlier)
          return this.sameSend(earlier, { ...request, replyTo: quoted?.wahaId ?? null }, session.id);
      }
      throw error;
    }
    return toMessageModel(message, session.id, outbound.chatId);
  }

  /**
   * Asks n8n to react to a message as the linked account (message.react); '' removes the
   * reaction. It shows once n8n reports it sent. True when queued; false when the same reaction
   * to the message is already waiting to be sent (a retried request).
   */
  async react(auth: AuthContext, input: ReactToWhatsappMessageInput): Promise<boolean> {
    const reaction = validReaction(input.reaction, 'input.reaction');
    validIdArgument(input.messageId, 'input.messageId');
    const session = await this.session(input.sessionId, 'input.sessionId');
    assertWorking(session, 'reacting');
    const message = await reactionTarget(this.em, session.id, input.messageId, 'input.messageId');
    const payload = { messageId: message.wahaId, reaction };
    return this.enqueueOnce(auth, session, CommandType.MESSAGE_REACT, payload);
  }

  /**
   * Asks n8n to list a group's participants from WAHA (group.participants); they show on the
   * chat once reported. True when queued; false when a refresh of the group is already waiting.
   */
  async refreshGroupParticipants(auth: AuthContext, args: ChatRefArgs): Promise<boolean> {
    validIdArgument(args.sessionId, 'sessionId');
    // A WAHA id that is no group's is wrong input whoever asks; our chat id is judged once found.
    if (!keyIfGlobal('WhatsappChat', args.chatId)) validGroupChatId(args.chatId, 'chatId');
    const session = await this.session(args.sessionId);
    assertWorking(session, "WAHA's groups");
    const chat = await this.chat(session.id, args.chatId);
    if (!isGroupChatId(chat.chatId)) throw DomainError.badInput('chatId', 'The chat is not a group chat');
    return this.enqueueOnce(auth, session, CommandType.GROUP_PARTICIPANTS, { chatId: chat.chatId });
  }

  /** Queues the command unless the same one (type and payload) is still waiting for n8n. */
  private async enqueueOnce<
    T extends typeof CommandType.MESSAGE_REACT | typeof CommandType.GROUP_PARTICIPANTS,
  >(auth: AuthContext, session: WhatsappSession, type: T, payload: CommandPayloads[T]): Promise<boolean> {
    const waiting = await this.em.count(OutboxCommand, {
      sessionId: session.id,
      type,
      status: OutboxStatus.PENDING,
      payload: payload as Record<string, unknown>,
    });
    if (waiting > 0) return false;
    this.outbox.enqueue(this.em, type, { tenantId: auth.tenantId, sessionId: session.id }, payload);
    await this.em.flush();
    this.outbox.notifyCommitted();
    return true;
  }

  /** The message sent with `idempotencyKey` in the session, with its chat; null when there is none. */
  private earlierSend(sessionId: string, idempotencyKey: string): Promise<Message | null> {
    return this.em
      .fork()
      .findOne(Message, { session: sessionId, idempotencyKey }, { populate: ['chat'], strategy: 'joined' });
  }

  /** Sets the chat's unread count to 0; marking a read chat read changes nothing. */
  async markRead(auth: AuthContext, args: ChatRefArgs): Promise<ChatModel> {
    const chat = await this.chat(args.sessionId, args.chatId);
    if (chat.unreadCount !== 0) {
      chat.unreadCount = 0;
      chat.updatedBy = userActor(auth.userId);
      await this.em.flush();
    }
    await this.em.populate(chat, ['lastMessage']);
    const [model] = await this.chatModels([chat], args.sessionId);
    return model!;
  }

  /**
   * Asks n8n to import WAHA's chats overview and recent messages (chats.sync) into the same
   * rows. True when a sync was queued; false when one is already waiting to run.
   */
  async sync(auth: AuthContext, args: SyncWhatsappChatsArgs): Promise<boolean> {
    const chatsLimit = syncLimit(args.chatsLimit, 'chatsLimit');
    const messagesLimit = syncLimit(args.messagesLimit, 'messagesLimit');
    const session = await this.session(args.sessionId);
    assertWorking(session, "WAHA's chats");
    const waiting = await this.em.count(OutboxCommand, {
      sessionId: session.id,
      type: CommandType.CHATS_SYNC,
      status: OutboxStatus.PENDING,
    });
    if (waiting > 0) return false;
    this.outbox.enqueue(
      this.em,
      CommandType.CHATS_SYNC,
      { tenantId: auth.tenantId, sessionId: session.id },
      { chatsLimit, messagesLimit },
    );
    await this.em.flush();
    this.outbox.notifyCommitted();
    return true;
  }

  private async sameSend(earlier: Message, request: SendRequest, sessionId: string): Promise<MessageModel> {
    assertSameSend(earlier, request);
    return this.messageModel(earlier, sessionId, earlier.chat.chatId);
  }

  private session(id: string, field = 'sessionId'): Promise<WhatsappSession> {
    return sessionOf(this.em, id, field);
  }

  private chat(sessionId: string, chatId: string): Promise<Chat> {
    return chatOf(this.em, sessionId, chatId);
  }

  private messageModel(message: Message, sessionId: string, chatId: string): Promise<MessageModel> {
    return messageModelOf(this.em, message, sessionId, chatId);
  }

  private chatModels(chats: Chat[], sessionId: string): Promise<ChatModel[]> {
    return chatModelsOf(this.em, chats, sessionId);
  }
}
