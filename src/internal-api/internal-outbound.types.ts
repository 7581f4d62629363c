import { Field, ID, InputType } from '@nestjs/graphql';
import { inInternalSchema } from '../common/graphql-schemas.js';

@InputType('ReportReactionSentInput', inInternalSchema)
export class ReportReactionSentInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The message.react command answered: its time dates the reaction (a retry changes nothing).',
  })
  commandId?: string | null;

  @Field(() => ID, { description: "WAHA's id of the message reacted to (the command's payload.messageId)." })
  messageId!: string;

  @Field({ description: "The emoji sent; '' when the reaction was removed." })
  reaction!: string;
}

@InputType('ReportedGroupParticipantInput', inInternalSchema)
export class ReportedGroupParticipantInput {
  @Field(() => ID, { description: "WAHA's GroupParticipant.id: <digits>@c.us or <id>@lid." })
  id!: string;

  @Field(() => String, {
    nullable: true,
    description: "WAHA's GroupParticipant.pn (<digits>@c.us), where given.",
  })
  phoneId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'participant, admin, superadmin or left, as WAHA says.',
  })
  role?: string | null;
}

@InputType('ReportGroupParticipantsInput', inInternalSchema)
export class ReportGroupParticipantsInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'The group.participants command answered: its time dates the list (a retry changes nothing).',
  })
  commandId?: string | null;

  @Field(() => ID, { description: "The group chat (<id>@g.us), the command's payload.chatId." })
  chatId!: string;

  @Field(() => String, {
    nullable: true,
    description: "The group's subject, stored as the chat's name when given.",
  })
  subject?: string | null;

  @Field(() => [ReportedGroupParticipantInput], {
    description: "WAHA's participants of the group, as listed.",
  })
  participants!: ReportedGroupParticipantInput[];
}

@InputType('ReportContactIdsInput', inInternalSchema)
export class ReportContactIdsInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => ID, { description: "The LID asked about (<digits>@lid), the command's payload.lid." })
  lid!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      "Its phone-number id (<digits>@c.us) as WAHA's lids API gives it; null when WAHA does not know it.",
  })
  phoneId?: string | null;
}
