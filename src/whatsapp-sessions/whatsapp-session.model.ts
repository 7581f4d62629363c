import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Connection } from '../common/pagination.js';
import { AuthMethod, SessionStatus } from './whatsapp-session.entity.js';
import { inPublicSchema } from '../common/graphql-schemas.js';

registerEnumType(SessionStatus, {
  name: 'WhatsappSessionStatus',
  description: "WAHA's session statuses, plus CREATING (before WAHA knows it) and DELETING.",
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
  @Field({ description: "WhatsApp's id of the account, e.g. 4915123456789@c.us." })
  id!: string;

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

@ObjectType('WhatsappSessionError', inPublicSchema)
export class WhatsappSessionErrorModel {
  @Field()
  message!: string;

  @Field(() => Date, { nullable: true })
  at!: Date | null;
}

@ObjectType('WhatsappSession', {
  ...inPublicSchema,
  description: "A tenant's integration with one WhatsApp number.",
})
export class WhatsappSessionModel {
  @Field(() => ID, { description: "Also the session's name in WAHA." })
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
