import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { NodeInterface } from '../common/node.model.js';
import { inPublicSchema } from '../common/graphql-schemas.js';
import { Scope } from './access.decorators.js';

registerEnumType(Scope, {
  name: 'ApiKeyScope',
  description: 'What an API key may do.',
  valuesMap: {
    READ: { description: 'Queries and subscriptions: sessions, chats, messages, files.' },
    SEND: { description: 'Sending messages and files, reacting, marking chats read.' },
    SESSIONS: {
      description:
        'Creating, linking, renaming, stopping, restarting, logging out and deleting sessions; asking WAHA ' +
        'for fresh data (chat sync, group participants, limits).',
    },
    WEBHOOKS: { description: "The tenant's webhook endpoints and their deliveries." },
  },
});

@ObjectType('ApiKey', {
  ...inPublicSchema,
  implements: () => [NodeInterface],
  description: "A tenant's API key, as listed: the key itself is shown only once, when it is created.",
})
export class ApiKeyModel {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => [Scope])
  scopes!: Scope[];

  @Field({ description: 'The first characters of the key (`whk_…`), to recognise it.' })
  prefix!: string;

  @Field(() => Date, { nullable: true, description: 'When the key stops working; null: never.' })
  expiresAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the key was last used (to the minute: recorded at most once a minute).',
  })
  lastUsedAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field({ description: 'Who created the key (`user:<id>`).' })
  createdBy!: string;

  @Field(() => Date, { nullable: true, description: 'When the key was revoked; it has not worked since.' })
  revokedAt!: Date | null;
}

@ObjectType('CreatedApiKey', inPublicSchema)
export class CreatedApiKeyModel {
  @Field(() => ApiKeyModel)
  apiKey!: ApiKeyModel;

  @Field({
    description:
      'The key, to send as `Authorization: Bearer <secret>`. Shown this once: only its hash is kept, ' +
      'so it cannot be read again (create a new key if it is lost).',
  })
  secret!: string;
}

@InputType('CreateApiKeyInput', inPublicSchema)
export class CreateApiKeyInput {
  @Field({ description: 'What the key is for, 1 to 100 characters.' })
  name!: string;

  @Field(() => [Scope], { description: 'At least one.' })
  scopes!: Scope[];

  @Field(() => Date, {
    nullable: true,
    description: 'When the key stops working (in the future); null: never.',
  })
  expiresAt?: Date | null;
}

@ArgsType(inPublicSchema)
export class ApiKeyIdArgs {
  @Field(() => ID)
  id!: string;
}
