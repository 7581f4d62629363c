import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { inPublicSchema } from '../common/graphql-schemas.js';
import { Connection } from '../common/pagination.js';
import { DeliveryStatus } from './delivery-status.js';

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
  description: "A message of a chat. Field names follow WAHA's WAMessage where both have the field.",
})
export class MessageModel {
  @Field(() => ID, {
    description:
      "WAHA's message id ({fromMe}_{chatId}_{id}). A message sent through this service has localId here until WAHA accepts it.",
  })
  id!: string;

  @Field(() => ID, { description: "This service's id of the message: stable from the moment it is stored." })
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

  @Field({ description: 'Has media available for download in WAHA (as WAHA).' })
  hasMedia!: boolean;

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
  description: 'A conversation of a session. Unique by (sessionId, id): normalize client caches on both.',
})
export class ChatModel {
  @Field(() => ID, { description: "WAHA's chat id: <digits>@c.us, <id>@g.us or <digits>@lid." })
  id!: string;

  @Field(() => ID)
  sessionId!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

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
