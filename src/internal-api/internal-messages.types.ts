import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { inInternalSchema } from '../common/graphql-schemas.js';
import { JsonScalar } from './json.scalar.js';

@ObjectType('InternalMessage', { ...inInternalSchema, description: 'A message as workflows need it.' })
export class InternalMessage {
  @Field(() => ID, { description: "This service's message id (the message.send command's messageId)." })
  id!: string;

  @Field(() => String, { nullable: true, description: "WAHA's message id, once known." })
  wahaMessageId!: string | null;

  @Field(() => Int, { description: "WAHA's ack: -1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED." })
  ack!: number;

  @Field({ description: 'PENDING, SENT, DELIVERED, READ, PLAYED or FAILED.' })
  status!: string;

  @Field(() => String, { nullable: true })
  failureReason!: string | null;
}

@InputType('ReportMessageSentInput', inInternalSchema)
export class ReportMessageSentInput {
  @Field(() => ID, {
    description:
      "The messageId of the message.send command (the public API's `wm_…` id of the message is taken too).",
  })
  messageId!: string;

  @Field({ description: "WAHA's id of the sent message, e.g. true_4917000000001@c.us_3EB0ABCDEF0123456789." })
  wahaMessageId!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType('ReportMessageFailedInput', inInternalSchema)
export class ReportMessageFailedInput {
  @Field(() => ID, {
    description:
      "The messageId of the message.send command (the public API's `wm_…` id of the message is taken too).",
  })
  messageId!: string;

  @Field({ description: 'What failed, for people (e.g. "4915100000000 is not on WhatsApp").' })
  reason!: string;

  @Field(() => Int, { nullable: true, description: "WAHA's HTTP status, if WAHA answered." })
  wahaStatusCode?: number | null;

  @Field(() => String, { nullable: true, description: "WAHA's error message." })
  wahaMessage?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType('UpsertChatsInput', inInternalSchema)
export class UpsertChatsInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => [JsonScalar], {
    description:
      "Items of WAHA's GET /api/{session}/chats/overview (ChatSummary: id, name, lastMessage, _chat), as WAHA returns them.",
  })
  chats!: unknown[];

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType('UpsertMessagesInput', inInternalSchema)
export class UpsertMessagesInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => [JsonScalar], {
    description:
      "Items of WAHA's GET /api/{session}/chats/{chatId}/messages (WAMessage), as WAHA returns them.",
  })
  messages!: unknown[];

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@ObjectType('UpsertResult', {
  ...inInternalSchema,
  description: 'What an import changed: a repeated import has only unchanged items.',
})
export class UpsertResult {
  @Field(() => Int)
  created!: number;

  @Field(() => Int)
  updated!: number;

  @Field(() => Int)
  unchanged!: number;
}
