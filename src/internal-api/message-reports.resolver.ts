import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { InternalAccess } from '../auth/access.decorators.js';
import { type MessageRecord } from '../chats/chats.mapper.js';
import { deliveryStatusOf } from '../chats/delivery-status.js';
import { ChatSyncService } from '../chats/chat-sync.service.js';
import { MessageReportsService } from '../chats/message-reports.service.js';
import { chatOf, type IncomingChat, type IncomingMessage, messageOf } from '../waha/waha-message.js';
import { DomainError } from '../common/domain-error.js';
import { keyIfGlobal } from '../common/global-ids.js';
import { N8N_ACTOR, SessionLifecycleService } from '../whatsapp-sessions/session-lifecycle.service.js';
import {
  InternalMessage,
  ReportMessageFailedInput,
  ReportMessageSentInput,
  UpsertChatsInput,
  UpsertMessagesInput,
  UpsertResult,
} from './internal-messages.types.js';
import { checkReportIds } from './report-ids.js';

const MAX_BATCH = 500;

/** Every item parsed before anything is stored: one bad item refuses the batch and changes nothing. */
function parseAll<T>(items: unknown[], field: string, parse: (item: unknown) => T | string): T[] {
  if (items.length > MAX_BATCH) throw DomainError.badInput(field, `At most ${MAX_BATCH} items per call`);
  return items.map((item, index) => {
    const parsed = parse(item);
    if (typeof parsed === 'string')
      throw DomainError.badInput(`${field}[${index}]`, `Not a WAHA item: ${parsed}`);
    return parsed;
  });
}

/** The command's messageId, or the public API's id of the same message (an operator may have only that one). */
function messageKey(messageId: string): string {
  return keyIfGlobal('WhatsappMessage', messageId) ?? messageId;
}

/** n8n's write-backs about messages and chats. Every one is idempotent: n8n may retry any of them. */
@InternalAccess()
@Resolver(() => InternalMessage)
export class MessageReportsResolver {
  constructor(
    private readonly reports: MessageReportsService,
    private readonly sync: ChatSyncService,
    private readonly lifecycle: SessionLifecycleService,
  ) {}

  @Mutation(() => InternalMessage, {
    description: "message.send succeeded: the message is SENT, with WAHA's id.",
  })
  async reportMessageSent(@Args('input') input: ReportMessageSentInput): Promise<InternalMessage> {
    checkReportIds(input);
    return this.toInternal(
      await this.reports.reportSent(messageKey(input.messageId), input.wahaMessageId, N8N_ACTOR),
    );
  }

  @Mutation(() => InternalMessage, {
    description: 'message.send failed: the message is FAILED with the reason (unless it was already sent).',
  })
  async reportMessageFailed(@Args('input') input: ReportMessageFailedInput): Promise<InternalMessage> {
    checkReportIds(input);
    return this.toInternal(await this.reports.reportFailed(messageKey(input.messageId), input, N8N_ACTOR));
  }

  @Mutation(() => UpsertResult, {
    description: "chats.sync: WAHA's chats overview, stored without duplicates.",
  })
  async upsertChats(@Args('input') input: UpsertChatsInput): Promise<UpsertResult> {
    checkReportIds(input);
    const now = Date.now();
    const chats = parseAll<IncomingChat>(input.chats, 'input.chats', (item) => chatOf(item, now));
    const session = await this.lifecycle.findAnyTenant(input.sessionId);
    return this.sync.upsertChats({ tenantId: session.tenant.id, sessionId: session.id }, chats, N8N_ACTOR);
  }

  @Mutation(() => UpsertResult, {
    description: "chats.sync: a chat's recent messages, stored without duplicates.",
  })
  async upsertMessages(@Args('input') input: UpsertMessagesInput): Promise<UpsertResult> {
    checkReportIds(input);
    const now = Date.now();
    const messages = parseAll<IncomingMessage>(input.messages, 'input.messages', (item) =>
      messageOf(item, now),
    );
    const session = await this.lifecycle.findAnyTenant(input.sessionId);
    return this.sync.upsertMessages(
      { tenantId: session.tenant.id, sessionId: session.id },
      messages,
      N8N_ACTOR,
    );
  }

  private toInternal(message: MessageRecord): InternalMessage {
    return {
      id: message.id,
      wahaMessageId: message.wahaId ?? null,
      ack: message.ack,
      status: deliveryStatusOf(message.ack),
      failureReason: message.failureReason ?? null,
    };
  }
}
