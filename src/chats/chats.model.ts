import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { inPublicSchema } from '../common/graphql-schemas.js';
import { NodeInterface } from '../common/node.model.js';
import { Connection } from '../common/pagination.js';
import { MessageType } from '../waha/message-types.js';
import { DeliveryStatus } from './delivery-status.js';
import {
  AuthorModel,
  GroupParticipantModel,
  LocationModel,
  MediaModel,
  ReactionModel,
  ReplyToModel,
} from './message-parts.model.js';

export const MessageDirection = { INBOUND: 'INBOUND', OUTBOUND: 'OUTBOUND' } as const;
export type MessageDirection = (typeof MessageDirection)[keyof typeof MessageDirection];

registerEnumType(DeliveryStatus, {
  name: 'WhatsappMessageStatus',
  description:
    "WAHA's ack in words: ERROR → FAILED, PENDING, SERVER → SENT, DEVICE → DELIVERED, READ, PLAYED. It only moves forward.",
  ...inPublicSchema,
});
registerEnumType(MessageDirection, {
  name: 'WhatsappMessageDirection',
  description: 'INBOUND: received from the chat; OUTBOUND: sent by the linked account (fromMe).',
  ...inPublicSchema,
});

@ObjectType('WhatsappMessage', {
  ...inPublicSchema,
  implements: () => [NodeInterface],
  description: "A message of a chat. Field names follow WAHA's WAMessage where both have the field.",
})
export class MessageModel {
  @Field(() => ID, {
    description:
      "This service's id of the message (a Node id): stable from the moment it is stored, whether sent or received.",
  })
  id!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "WAHA's message id ({fromMe}_{chatId}_{id}); null for a message sent through this service until WAHA accepts it.",
  })
  wahaId!: string | null;

  @Field(() => ID, { deprecationReason: 'The same as `id` now: use `id`.' })
  localId!: string;

  @Field(() => ID, { description: "WAHA's id of the chat, e.g. 4915112345678@c.us." })
  chatId!: string;

  @Field(() => ID)
  sessionId!: string;

  @Field({ description: 'Sent by the linked account (as WAHA).' })
  fromMe!: boolean;

  @Field(() => MessageDirection)
  direction!: MessageDirection;

  @Field(() => String, { nullable: true })
  body!: string | null;

  @Field({ description: 'Carries a file (as WAHA); see media.' })
  hasMedia!: boolean;

  @Field(() => MessageType)
  type!: MessageType;

  @Field(() => String, {
    nullable: true,
    description: "A media message's caption (its body, as WAHA keeps it); null for other messages.",
  })
  caption!: string | null;

  @Field(() => MediaModel, { nullable: true, description: 'Its file, when it has one.' })
  media!: MediaModel | null;

  @Field(() => ReplyToModel, { nullable: true, description: 'The message it replies to.' })
  replyTo!: ReplyToModel | null;

  @Field(() => AuthorModel, { nullable: true, description: 'In a group: who wrote it.' })
  author!: AuthorModel | null;

  @Field(() => LocationModel, { nullable: true })
  location!: LocationModel | null;

  @Field(() => [String], { nullable: true, description: 'The vCards of a CONTACT message.' })
  vCards!: string[] | null;

  @Field(() => [ReactionModel], {
    description: "Current reactions, one per sender (removed ones aren't shown).",
  })
  reactions!: ReactionModel[];

  @Field(() => Date, { nullable: true, description: 'When it was last edited.' })
  editedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The body before the last edit.' })
  previousBody!: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the sender deleted it for everyone; its body is cleared then.',
  })
  revokedAt!: Date | null;

  @Field({ description: "When it was sent (WAHA's timestamp)." })
  timestamp!: Date;

  @Field(() => Int, { description: "WAHA's ack: -1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED." })
  ack!: number;

  @Field({ description: "WAHA's name of the ack." })
  ackName!: string;

  @Field(() => DeliveryStatus)
  status!: DeliveryStatus;

  @Field(() => String, { nullable: true, description: 'Why sending failed, when status is FAILED.' })
  failureReason!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  @Field({ description: '`user:<id>` for a message a dashboard user sent; `system:…` otherwise.' })
  createdBy!: string;
}

@ObjectType('WhatsappChat', {
  ...inPublicSchema,
  implements: () => [NodeInterface],
  description:
    "A conversation of a session. Its `id` is this service's (a Node id); WAHA's ids are `chatId` and `chatIds`.",
})
export class ChatModel {
  @Field(() => ID, { description: "This service's id of the chat (a Node id), unique across sessions." })
  id!: string;

  @Field(() => ID, { description: "WAHA's chat id: <digits>@c.us, <id>@g.us or <digits>@lid." })
  chatId!: string;

  @Field(() => ID)
  sessionId!: string;

  @Field(() => [ID], {
    description:
      "Every WAHA id of this chat: its chatId, and the contact's other id (<digits>@c.us or <digits>@lid) once WAHA named both. Either opens it.",
  })
  chatIds!: string[];

  @Field({ description: 'A group chat (@g.us).' })
  isGroup!: boolean;

  @Field(() => String, { nullable: true, description: "A group's subject or a contact's name." })
  name!: string | null;

  @Field(() => [GroupParticipantModel], {
    nullable: true,
    description:
      "A group's members as WAHA last listed them; null until fetched (refreshWhatsappGroupParticipants).",
  })
  participants!: GroupParticipantModel[] | null;

  @Field(() => Date, { nullable: true, description: 'When participants were last fetched from WAHA.' })
  participantsFetchedAt!: Date | null;

  @Field(() => Int, { description: 'Messages received since the chat was last marked read.' })
  unreadCount!: number;

  @Field(() => MessageModel, { nullable: true })
  lastMessage!: MessageModel | null;

  @Field({ description: 'When its last message was sent; the order of the chat list.' })
  lastActivityAt!: Date;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export const ChatConnection = Connection(ChatModel, 'WhatsappChat');
export const MessageConnection = Connection(MessageModel, 'WhatsappMessage');
