import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { PageArgs } from '../../common/pagination.js';
import { AuthMethod, SessionStatus } from '../whatsapp-session.entity.js';
import { inPublicSchema } from '../../common/graphql-schemas.js';

@InputType('CreateWhatsappSessionInput', inPublicSchema)
export class CreateWhatsappSessionInput {
  @Field({ description: 'Unique per tenant (case-insensitive), 1 to 100 characters.' })
  displayName!: string;

  @Field(() => AuthMethod, { defaultValue: AuthMethod.QR })
  authMethod!: AuthMethod;

  @Field(() => String, {
    nullable: true,
    description: 'Required for PHONE_CODE: the number with country code, e.g. +49 151 2345678.',
  })
  phoneNumber?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Makes a retried create return the session the first try created instead of a second one.',
  })
  idempotencyKey?: string | null;
}

@InputType('UpdateWhatsappSessionInput', inPublicSchema)
export class UpdateWhatsappSessionInput {
  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => String, { nullable: true, description: 'The number with country code; null leaves it as is.' })
  phoneNumber?: string | null;
}

@InputType('WhatsappSessionFilter', inPublicSchema)
export class WhatsappSessionFilter {
  @Field(() => [SessionStatus], { nullable: true, description: 'Only sessions in one of these statuses.' })
  status?: SessionStatus[] | null;
}

@ArgsType(inPublicSchema)
export class WhatsappSessionsArgs extends PageArgs {
  @Field(() => WhatsappSessionFilter, { nullable: true })
  filter?: WhatsappSessionFilter | null;
}

@ArgsType(inPublicSchema)
export class WhatsappSessionIdArgs {
  @Field(() => ID)
  id!: string;
}
