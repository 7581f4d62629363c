import { Field, Float, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { inPublicSchema } from '../common/graphql-schemas.js';
import { NodeInterface } from '../common/node.model.js';
import { MediaState } from '../media/media.entity.js';
import { MessageType } from '../waha/message-types.js';

/**
 * The parts of a message beyond its text, as the public API shows them. Field names follow
 * WAHA's WAMessage (WAMedia, WALocation, ReplyToMessage, WAReaction) where both have the field.
 */

registerEnumType(MessageType, {
  name: 'WhatsappMessageType',
  description:
    "What the message is. WAHA has no type field: it comes from the engine's message type, else from what the message carries.",
  ...inPublicSchema,
});
registerEnumType(MediaState, {
  name: 'WhatsappMediaState',
  description:
    "PENDING: being copied out of WAHA; READY: downloadable; FAILED: it never will be (failureReason says why, e.g. WAHA's file expired first).",
  ...inPublicSchema,
});

@ObjectType('WhatsappMedia', {
  ...inPublicSchema,
  implements: () => [NodeInterface],
  description: "A message's file, kept in this service's media store (WAHA deletes its own after minutes).",
})
export class MediaModel {
  @Field(() => ID, { description: 'A Node id; also what an upload answers, to send the file (mediaId).' })
  id!: string;

  @Field(() => MediaState)
  state!: MediaState;

  @Field(() => String, { nullable: true })
  mimetype!: string | null;

  @Field(() => String, { nullable: true })
  filename!: string | null;

  @Field(() => Float, { nullable: true, description: 'Bytes, once READY.' })
  size!: number | null;

  @Field(() => String, { nullable: true, description: 'Hex SHA-256 of the bytes, once READY.' })
  sha256!: string | null;

  @Field(() => String, { nullable: true, description: 'Why it is FAILED.' })
  failureReason!: string | null;
}

@ObjectType('WhatsappReplyTo', { ...inPublicSchema, description: 'The message a reply quotes.' })
export class ReplyToModel {
  @Field(() => ID, { description: "WAHA's id of the quoted message." })
  messageId!: string;

  @Field(() => String, {
    nullable: true,
    description: 'A short excerpt of the quoted text, as WAHA gave it.',
  })
  excerpt!: string | null;
}

@ObjectType('WhatsappMessageAuthor', {
  ...inPublicSchema,
  description: "Who wrote a group message (WAHA's participant).",
})
export class AuthorModel {
  @Field(() => ID, { description: "WAHA's id of the author: <digits>@c.us or <id>@lid." })
  wahaId!: string;

  @Field(() => String, {
    nullable: true,
    description: "The author's phone-number id (<digits>@c.us) where WAHA gives it.",
  })
  phoneId!: string | null;
}

@ObjectType('WhatsappLocation', { ...inPublicSchema, description: "A shared location (WAHA's WALocation)." })
export class LocationModel {
  @Field(() => String)
  latitude!: string;

  @Field(() => String)
  longitude!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  address!: string | null;

  @Field(() => Boolean, { description: 'A live location.' })
  live!: boolean;
}

@ObjectType('WhatsappReaction', { ...inPublicSchema, description: "One sender's reaction to a message." })
export class ReactionModel {
  @Field(() => ID, { description: "WAHA's id of who reacted." })
  senderId!: string;

  @Field({ description: 'Reacted from the linked account.' })
  fromMe!: boolean;

  @Field()
  reaction!: string;

  @Field()
  timestamp!: Date;
}

@ObjectType('WhatsappGroupParticipant', { ...inPublicSchema, description: 'A member of a group chat.' })
export class GroupParticipantModel {
  @Field(() => ID, { description: "WAHA's id of the member: <digits>@c.us or <id>@lid." })
  wahaId!: string;

  @Field(() => String, { nullable: true, description: "The member's phone-number id where WAHA gives it." })
  phoneId!: string | null;

  @Field(() => String, { nullable: true, description: 'participant, admin or superadmin, as WAHA says.' })
  role!: string | null;
}
