import { Args, ArgsType, Field, ID, ObjectType, Resolver, Subscription } from '@nestjs/graphql';
import { CurrentAuth, RequireScope, Scope, TenantAccess } from '../auth/access.decorators.js';
import { type AuthContext } from '../auth/auth-context.js';
import { inPublicSchema } from '../common/graphql-schemas.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { Topic } from '../realtime/topics.js';
import { WhatsappSessionsService } from '../whatsapp-sessions/whatsapp-sessions.service.js';
import { validIdArgument } from '../common/input-checks.js';
import { ChatModel, MessageModel } from './chats.model.js';
import {
  chatOfMessageUpsertedPayload,
  fromMessageUpsertedPayload,
  type MessageUpsertedPayload,
} from './message-events.js';

@ObjectType('WhatsappMessageEvent', {
  ...inPublicSchema,
  description: 'A message stored (sent or received) or whose delivery status moved, with its chat.',
})
export class MessageEventModel {
  @Field(() => MessageModel)
  message!: MessageModel;

  @Field(() => ChatModel, { description: 'The chat as the chat list shows it, after this message.' })
  chat!: ChatModel;

  @Field(() => [ID], {
    description:
      'Ids of messages this one replaces (WAHA announced our own message before n8n reported it sent): drop them.',
  })
  replaces!: string[];

  @Field(() => [ID], {
    description:
      "Ids of chats merged into this event's chat (WAHA named one contact by two ids, a chat each, and told us they are one): drop them.",
  })
  replacesChats!: string[];
}

@ArgsType(inPublicSchema)
export class MessageEventsArgs {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID, {
    nullable: true,
    description: "Only this chat: its id, or any of WAHA's chatIds; all chats of the session when omitted.",
  })
  chatId?: string | null;
}

/** One event object reaches every subscriber on a replica: convert it once. */
const converted = new WeakMap<MessageUpsertedPayload, MessageEventModel>();

function toEvent(payload: MessageUpsertedPayload): MessageEventModel {
  let event = converted.get(payload);
  if (!event) {
    event = {
      message: fromMessageUpsertedPayload(payload),
      chat: chatOfMessageUpsertedPayload(payload),
      replaces: payload.replaces,
      replacesChats: payload.replacesChats ?? [],
    };
    converted.set(payload, event);
  }
  return event;
}

/**
 * New and updated messages, live. The stream is the caller's tenant's channel (tenant from
 * the token), filtered by session and chat on arrival; a session of another tenant is
 * NOT_FOUND before anything is subscribed.
 */
@Resolver()
export class ChatsSubscriptions {
  constructor(
    private readonly realtime: RealtimeService,
    private readonly sessions: WhatsappSessionsService,
  ) {}

  @TenantAccess()
  @RequireScope(Scope.READ)
  @Subscription(() => MessageEventModel, {
    description:
      "A session's messages (or one chat's), live: new inbound and outbound messages and their acks.",
    resolve: toEvent,
  })
  async whatsappMessageUpserted(
    @CurrentAuth() auth: AuthContext,
    @Args() { sessionId, chatId }: MessageEventsArgs,
  ) {
    validIdArgument(sessionId, 'sessionId');
    if (chatId) validIdArgument(chatId, 'chatId');
    await this.sessions.get(sessionId);
    return this.realtime.subscribe<MessageUpsertedPayload>(
      Topic.MESSAGE_UPSERTED,
      auth.tenantId,
      // Any id of a chat follows it: ours, and both of WAHA's for a contact it names by phone
      // number and by LID (one chat).
      (event) =>
        event.sessionId === sessionId &&
        (!chatId ||
          event.chat.id === chatId ||
          event.message.chatId === chatId ||
          event.chat.chatIds.includes(chatId)),
    );
  }
}
