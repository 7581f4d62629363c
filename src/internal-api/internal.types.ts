import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { inInternalSchema } from '../common/graphql-schemas.js';
import { WahaSessionStatus } from '../waha/waha.types.js';
import { AuthMethod, SessionStatus } from '../whatsapp-sessions/whatsapp-session.entity.js';
import { JsonScalar } from './json.scalar.js';

registerEnumType(WahaSessionStatus, {
  name: 'WahaSessionStatus',
  description: "WAHA's session statuses that this service follows.",
  ...inInternalSchema,
});

@ObjectType('InternalAccount', inInternalSchema)
export class InternalAccount {
  @Field()
  id!: string;

  @Field(() => String, { nullable: true })
  pushName!: string | null;
}

@ObjectType('InternalSession', { ...inInternalSchema, description: 'A session as workflows need it.' })
export class InternalSession {
  @Field(() => ID, { description: "The session's name in WAHA." })
  id!: string;

  @Field(() => ID)
  tenantId!: string;

  @Field(() => SessionStatus)
  status!: SessionStatus;

  @Field(() => AuthMethod)
  authMethod!: AuthMethod;

  @Field(() => String, { nullable: true, description: 'Digits only, with country code.' })
  phoneNumber!: string | null;

  @Field(() => InternalAccount, { nullable: true })
  me!: InternalAccount | null;

  @Field(() => String, { nullable: true })
  qrValue!: string | null;

  @Field(() => Int, { nullable: true })
  qrSequence!: number | null;

  @Field(() => String, { nullable: true })
  pairingCode!: string | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Boolean, { description: 'The tenant deleted it; WAHA is being told.' })
  deleted!: boolean;

  @Field(() => JsonScalar, { description: "The body of WAHA's POST /api/sessions for this session." })
  wahaRequest!: unknown;
}

@InputType('InternalAccountInput', inInternalSchema)
export class InternalAccountInput {
  @Field({ description: 'e.g. 4915123456789@c.us' })
  id!: string;

  @Field(() => String, { nullable: true })
  pushName?: string | null;

  @Field(() => JsonScalar, {
    nullable: true,
    description:
      "WAHA's `me.messageCapping` as it is (WAHA 2026.8.1), if WAHA gave it; odd values are ignored, not refused.",
  })
  messageCapping?: unknown;

  @Field(() => JsonScalar, {
    nullable: true,
    description: "WAHA's `me.reachoutTimelock` as it is (WAHA 2026.8), if WAHA gave it.",
  })
  reachoutTimelock?: unknown;
}

@InputType('ReportSessionStatusInput', inInternalSchema)
export class ReportSessionStatusInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => WahaSessionStatus)
  status!: WahaSessionStatus;

  @Field(() => InternalAccountInput, { nullable: true })
  me?: InternalAccountInput | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType('ReportQrInput', inInternalSchema)
export class ReportQrInput {
  @Field(() => ID)
  sessionId!: string;

  @Field({ description: 'The raw QR value (GET /api/{session}/auth/qr?format=raw).' })
  value!: string;

  @Field(() => Int, { nullable: true, description: '1 to 6; defaults to the next in the series.' })
  sequence?: number | null;

  @Field(() => Date, {
    nullable: true,
    description: "Defaults to WAHA's clock: 60 s for the first QR, 20 s after.",
  })
  expiresAt?: Date | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType('ReportPairingCodeInput', inInternalSchema)
export class ReportPairingCodeInput {
  @Field(() => ID)
  sessionId!: string;

  @Field({ description: 'As WAHA returns it, e.g. ABCD-EFGH.' })
  code!: string;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType('ReportLinkedAccountInput', inInternalSchema)
export class ReportLinkedAccountInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => InternalAccountInput)
  me!: InternalAccountInput;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType('ReportSessionFailureInput', inInternalSchema)
export class ReportSessionFailureInput {
  @Field(() => ID)
  sessionId!: string;

  @Field({ description: 'What failed, for people: shown to the dashboard as the last error.' })
  reason!: string;

  @Field(() => Int, { nullable: true, description: "WAHA's HTTP status, if WAHA answered." })
  wahaStatusCode?: number | null;

  @Field(() => String, { nullable: true, description: "WAHA's error message." })
  wahaMessage?: string | null;

  @Field(() => WahaSessionStatus, {
    nullable: true,
    description: 'The status WAHA reported with the error, if any.',
  })
  status?: WahaSessionStatus | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType('ReportSessionLimitsInput', {
  ...inInternalSchema,
  description:
    "The session.limits workflow's answer: WAHA's `GET /api/sessions/{session}/capping` and `/timelock` as " +
    'they are. null: WAHA has none (capping answers 404/422 on engines without it); left out: not asked.',
})
export class ReportSessionLimitsInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => JsonScalar, { nullable: true })
  capping?: unknown;

  @Field(() => JsonScalar, { nullable: true })
  timelock?: unknown;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType('ReportSessionDeletedInput', inInternalSchema)
export class ReportSessionDeletedInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@ArgsType(inInternalSchema)
export class WorkflowSessionArgs {
  @Field(() => ID)
  sessionId!: string;
}
