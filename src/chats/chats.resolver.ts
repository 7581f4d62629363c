import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentAuth, RequireScope, Scope, TenantAccess } from '../auth/access.decorators.js';
import { type AuthContext, Role } from '../auth/auth-context.js';
import { toConnection } from '../common/pagination.js';
import { ChatConnection, ChatModel, MessageConnection, MessageModel } from './chats.model.js';
import { ChatPagesService } from './chat-pages.service.js';
import { ChatsService } from './chats.service.js';
import {
  ChatRefArgs,
  ChatsArgs,
  MessagesArgs,
  ReactToWhatsappMessageInput,
  SendWhatsappMessageArgs,
  SyncWhatsappChatsArgs,
} from './dto/chats.inputs.js';

const WRITERS = [Role.ADMIN, Role.MEMBER];

@Resolver(() => ChatModel)
export class ChatsResolver {
  constructor(
    private readonly service: ChatsService,
    private readonly pages: ChatPagesService,
  ) {}

  @TenantAccess()
  @RequireScope(Scope.READ)
  @Query(() => ChatConnection, {
    description:
      "A session's chats, most recent message first, each with its last message and unread count. `first`/`after` page down the list, `last`/`before` up it.",
  })
  async chats(@Args() args: ChatsArgs) {
    return toConnection(await this.pages.chats(args), (chat) => chat);
  }

  @TenantAccess()
  @RequireScope(Scope.READ)
  @Query(() => ChatModel, {
    description: "One chat, by its id or any of its chatIds (a contact's phone-number id or LID).",
  })
  async chat(@Args() args: ChatRefArgs) {
    return this.service.chatOf(args);
  }

  @TenantAccess()
  @RequireScope(Scope.READ)
  @Query(() => MessageConnection, {
    description:
      "A chat's messages, newest first: `first`/`after` page to older messages (endCursor as `after`), `last`/`before` to newer ones (startCursor as `before`).",
  })
  async messages(@Args() args: MessagesArgs) {
    return toConnection(await this.pages.messages(args), (message) => message);
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SEND)
  @Mutation(() => MessageModel, {
    description:
      'Stores the message (a text, or an uploaded file with a caption; optionally a reply) PENDING and has n8n send it through WAHA; status follows (SENT, DELIVERED, READ or FAILED).',
  })
  async sendWhatsappMessage(@CurrentAuth() auth: AuthContext, @Args() args: SendWhatsappMessageArgs) {
    return this.service.send(auth, args);
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SEND)
  @Mutation(() => Boolean, {
    description:
      "Has n8n react to a message through WAHA as the linked account ('' removes the reaction); it shows on the message once sent. True when queued; false when the same reaction is already waiting.",
  })
  async reactToWhatsappMessage(
    @CurrentAuth() auth: AuthContext,
    @Args('input') input: ReactToWhatsappMessageInput,
  ) {
    return this.service.react(auth, input);
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => Boolean, {
    description:
      "Has n8n list a group chat's participants from WAHA; they show on the chat (participants, participantsFetchedAt) once fetched. True when queued; false when a refresh is already waiting.",
  })
  async refreshWhatsappGroupParticipants(@CurrentAuth() auth: AuthContext, @Args() args: ChatRefArgs) {
    return this.service.refreshGroupParticipants(auth, args);
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SEND)
  @Mutation(() => ChatModel, { description: "Sets the chat's unread count to 0." })
  async markChatRead(@CurrentAuth() auth: AuthContext, @Args() args: ChatRefArgs) {
    return this.service.markRead(auth, args);
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => Boolean, {
    description:
      "Imports WAHA's chats overview and recent messages into the same chats (no duplicates). True when queued; false when a sync is already waiting.",
  })
  async syncWhatsappChats(@CurrentAuth() auth: AuthContext, @Args() args: SyncWhatsappChatsArgs) {
    return this.service.sync(auth, args);
  }
}
