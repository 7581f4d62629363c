import { ArgsType, Field, ID, Int } from '@nestjs/graphql';
import { inPublicSchema } from '../../common/graphql-schemas.js';
import { DEFAULT_PAGE_SIZE, ForwardPageArgs, MAX_PAGE_SIZE } from '../../common/pagination.js';

@ArgsType(inPublicSchema)
export class ChatsArgs extends ForwardPageArgs {
  @Field(() => ID)
  sessionId!: string;
}

@ArgsType(inPublicSchema)
export class MessagesArgs {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID, { description: "WAHA's chat id, e.g. 4915112345678@c.us." })
  chatId!: string;

  @Field(() => Int, {
    nullable: true,
    description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}).`,
  })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'The `endCursor` of the previous page: the messages older than it.',
  })
  before?: string | null;
}

@ArgsType(inPublicSchema)
export class SendWhatsappMessageArgs {
  @Field(() => ID)
  sessionId!: string;

  @Field({
    description:
      'A phone number with country code (+49 151 1234567) or a WAHA chat id (<digits>@c.us, <id>@g.us, <digits>@lid).',
  })
  to!: string;

  @Field({ description: '1 to 4096 characters.' })
  text!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Makes a retried send return the message the first try stored instead of sending twice.',
  })
  idempotencyKey?: string | null;
}

@ArgsType(inPublicSchema)
export class ChatRefArgs {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID, { description: "WAHA's chat id." })
  chatId!: string;
}

@ArgsType(inPublicSchema)
export class SyncWhatsappChatsArgs {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => Int, {
    nullable: true,
    description: 'How many chats to import, newest first: 1 to 100 (default 20).',
  })
  chatsLimit?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'How many recent messages per chat: 1 to 100 (default 20).',
  })
  messagesLimit?: number | null;
}
