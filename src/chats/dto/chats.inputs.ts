import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { inPublicSchema } from '../../common/graphql-schemas.js';
import { PageArgs } from '../../common/pagination.js';

@ArgsType(inPublicSchema)
export class ChatsArgs extends PageArgs {
  @Field(() => ID)
  sessionId!: string;
}

@ArgsType(inPublicSchema)
export class MessagesArgs extends PageArgs {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID, {
    description: "The chat's id, or any of WAHA's chatIds (e.g. 4915112345678@c.us).",
  })
  chatId!: string;
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

  @Field({
    description: '1 to 4096 characters; with `mediaId`, the caption (may be empty; a voice note takes none).',
  })
  text!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Makes a retried send return the message the first try stored instead of sending twice.',
  })
  idempotencyKey?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: "A message of the same chat to reply to: its `id` (or WAHA's, its `wahaId`).",
  })
  replyTo?: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'A file uploaded to send (READY): the `id` the upload answered. Sent as an image (image/*), video (video/*), voice note (audio/ogg, opus), or as a file (anything else, other audio included).',
  })
  mediaId?: string | null;
}

@InputType('ReactToWhatsappMessageInput', inPublicSchema)
export class ReactToWhatsappMessageInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID, { description: "The message: its `id` (or WAHA's, its `wahaId`)." })
  messageId!: string;

  @Field({ description: "One emoji; '' removes the linked account's reaction." })
  reaction!: string;
}

@ArgsType(inPublicSchema)
export class ChatRefArgs {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID, { description: "The chat's id, or any of WAHA's chatIds." })
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
