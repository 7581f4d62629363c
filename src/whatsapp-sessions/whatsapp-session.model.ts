import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Connection } from '../common/pagination.js';
import { AuthMethod, CappingStatus, SessionStatus } from './whatsapp-session.entity.js';
import { inPublicSchema } from '../common/graphql-schemas.js';
import { NodeInterface } from '../common/node.model.js';

registerEnumType(SessionStatus, {
  name: 'WhatsappSessionStatus',
  description: "WAHA's session statuses, plus CREATING (before WAHA knows it) and DELETING.",
});
registerEnumType(CappingStatus, {
  name: 'WhatsappCappingStatus',
  description:
    "WhatsApp's message capping of new chats (WAHA's cappingStatus): NONE, two warnings as the quota fills, " +
    'then CAPPED (no sends until the cycle ends).',
});
export const PasskeyStep = { APPROVE_ON_PHONE: 'APPROVE_ON_PHONE', COMPARE_CODE: 'COMPARE_CODE' } as const;
export type PasskeyStep = (typeof PasskeyStep)[keyof typeof PasskeyStep];
registerEnumType(PasskeyStep, {
  name: 'WhatsappPasskeyStep',
  description:
    'APPROVE_ON_PHONE (PASSKEY_REQUIRED): approve the link with the passkey on the phone. ' +
    'COMPARE_CODE (PASSKEY_CONFIRMATION_REQUIRED): check `code` against the phone and confirm there.',
});
registerEnumType(AuthMethod, {
  name: 'WhatsappAuthMethod',
  description: 'How the phone links: scanning a QR, or entering a pairing code.',
});

@ObjectType('WhatsappAccount', {
  ...inPublicSchema,
  description: 'The WhatsApp account a WORKING session is linked to.',
})
export class WhatsappAccountModel {
  @Field({ description: "WhatsApp's id of the account (WAHA's me.id), e.g. 4915123456789@c.us." })
  wahaId!: string;

  @Field(() => String, { nullable: true })
  pushName!: string | null;
}

@ObjectType('WhatsappQr', {
  ...inPublicSchema,
  description: 'The QR to scan now; WAHA rotates it (60 s first, then 20 s, 6 in all).',
})
export class WhatsappQrModel {
  @Field({ description: 'The raw QR value, to render as a QR code.' })
  value!: string;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Which QR of the series of 6 this is.' })
  sequence!: number | null;

  /** Rendered on request only (see WhatsappQrResolver), never on the fan-out path. */
  pngDataUrl?: string;
}

@ObjectType('WhatsappPairingCode', {
  ...inPublicSchema,
  description: 'The code to enter on the phone (Linked devices > Link with phone number).',
})
export class WhatsappPairingCodeModel {
  @Field({ description: 'Formatted as WhatsApp shows it, e.g. ABCD-EFGH.' })
  code!: string;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;
}

@ObjectType('WhatsappPasskey', {
  ...inPublicSchema,
  description: 'What the user must do while WhatsApp links the phone by passkey (WAHA 2026.7, GOWS).',
})
export class WhatsappPasskeyModel {
  @Field(() => PasskeyStep)
  step!: PasskeyStep;

  @Field(() => String, {
    nullable: true,
    description: 'COMPARE_CODE: the code that must match the one the phone shows.',
  })
  code!: string | null;

  @Field({ description: 'The instruction to show the user.' })
  instruction!: string;
}

@ObjectType('WhatsappMessageCapping', {
  ...inPublicSchema,
  description:
    "WhatsApp's cap on new chats for the linked account, as WAHA last reported it. While CAPPED every send " +
    'is refused (SESSION_CAPPED) until `cycleEnd`.',
})
export class WhatsappMessageCappingModel {
  @Field(() => CappingStatus)
  status!: CappingStatus;

  @Field({ description: 'FIRST_WARNING or SECOND_WARNING: the dashboard should warn the user.' })
  warning!: boolean;

  @Field(() => Int, { nullable: true, description: 'New chats started this cycle.' })
  usedQuota!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'New chats allowed per cycle; null: no cap (or unknown).',
  })
  totalQuota!: number | null;

  @Field(() => Date, { nullable: true, description: 'When the cycle ends (and a cap clears).' })
  cycleEnd!: Date | null;
}

@ObjectType('WhatsappReachoutTimelock', {
  ...inPublicSchema,
  description:
    "WhatsApp's reach-out timelock, as WAHA last reported it: while active, a first message to a new " +
    'contact is refused (SESSION_TIMELOCKED) until `until`; replies in existing chats go out.',
})
export class WhatsappReachoutTimelockModel {
  @Field({
    description:
      'As WAHA last said. The lock holds while `active` and `until` is ahead (or not given); WAHA says when it lifts.',
  })
  active!: boolean;

  @Field(() => Date, { nullable: true })
  until!: Date | null;
}

@ObjectType('WhatsappSessionError', inPublicSchema)
export class WhatsappSessionErrorModel {
  @Field()
  message!: string;

  @Field(() => Date, { nullable: true })
  at!: Date | null;
}

@ObjectType('WhatsappSession', {
  ...inPublicSchema,
  implements: () => [NodeInterface],
  description: "A tenant's integration with one WhatsApp number.",
})
export class WhatsappSessionModel {
  @Field(() => ID, { description: "A Node id; also the session's name in WAHA." })
  id!: string;

  @Field()
  displayName!: string;

  @Field(() => AuthMethod)
  authMethod!: AuthMethod;

  @Field(() => String, { nullable: true, description: 'Digits only, with country code.' })
  phoneNumber!: string | null;

  @Field(() => SessionStatus)
  status!: SessionStatus;

  @Field(() => WhatsappAccountModel, { nullable: true })
  me!: WhatsappAccountModel | null;

  @Field(() => WhatsappQrModel, { nullable: true, description: 'Set while the session waits for a scan.' })
  qr!: WhatsappQrModel | null;

  @Field(() => WhatsappPairingCodeModel, { nullable: true })
  pairingCode!: WhatsappPairingCodeModel | null;

  @Field(() => WhatsappPasskeyModel, {
    nullable: true,
    description: 'Set while the status is PASSKEY_REQUIRED or PASSKEY_CONFIRMATION_REQUIRED.',
  })
  passkey!: WhatsappPasskeyModel | null;

  @Field(() => WhatsappMessageCappingModel, { nullable: true, description: 'null until WAHA reports it.' })
  messageCapping!: WhatsappMessageCappingModel | null;

  @Field(() => WhatsappReachoutTimelockModel, { nullable: true, description: 'null until WAHA reports it.' })
  reachoutTimelock!: WhatsappReachoutTimelockModel | null;

  @Field(() => WhatsappSessionErrorModel, { nullable: true })
  lastError!: WhatsappSessionErrorModel | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  @Field()
  createdBy!: string;

  @Field()
  updatedBy!: string;
}

export const WhatsappSessionConnection = Connection(WhatsappSessionModel, 'WhatsappSession');

@ObjectType('WhatsappSessionUpdate', {
  ...inPublicSchema,
  description: 'A session as it stands after a change, pushed to subscribers.',
})
export class WhatsappSessionUpdateModel {
  @Field({ description: 'True once the session is deleted: list views drop it.' })
  deleted!: boolean;

  @Field(() => WhatsappSessionModel)
  session!: WhatsappSessionModel;
}
