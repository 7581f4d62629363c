import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { inPublicSchema } from '../common/graphql-schemas.js';
import { NodeInterface } from '../common/node.model.js';
import { Connection, PageArgs } from '../common/pagination.js';
import { WebhookDeliveryStatus } from '../tenant-webhooks/webhook-delivery.entity.js';
import { WebhookEventType } from '../tenant-webhooks/webhook-events.js';

registerEnumType(WebhookEventType, {
  name: 'WebhookEventType',
  description: 'What an endpoint is told about; the `type` of the body is the value in parentheses.',
  valuesMap: {
    MESSAGE_RECEIVED: { description: 'A message arrived (`message.received`).' },
    MESSAGE_STATUS_CHANGED: {
      description:
        "A message's status moved on: SENT, DELIVERED, READ, PLAYED, FAILED (`message.status_changed`).",
    },
    SESSION_STATUS_CHANGED: { description: "A session's status changed (`session.status_changed`)." },
    MEDIA_READY: { description: "A received message's file is stored and can be fetched (`media.ready`)." },
  },
});
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description:
    'PENDING: waiting for its (next) attempt; DELIVERED: answered 2xx; FAILED: gave up (replay to try again).',
});

@ObjectType('WebhookEndpoint', { ...inPublicSchema, implements: () => [NodeInterface] })
export class WebhookEndpointModel {
  @Field(() => ID)
  id!: string;

  @Field()
  url!: string;

  @Field(() => [WebhookEventType])
  events!: WebhookEventType[];

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field({ description: 'False when the tenant disabled it, or the service did (see disabledReason).' })
  enabled!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Why the service disabled it (it kept failing); enable it again with updateWebhookEndpoint.',
  })
  disabledReason!: string | null;

  @Field(() => Int, { description: 'Failed attempts in a row; a success resets it.' })
  consecutiveFailures!: number;

  @Field(() => Date, {
    nullable: true,
    description: 'After a rotation, until when the previous secret still signs beside the new one.',
  })
  previousSecretExpiresAt!: Date | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType('WebhookEndpointWithSecret', inPublicSchema)
export class WebhookEndpointWithSecretModel {
  @Field(() => WebhookEndpointModel)
  endpoint!: WebhookEndpointModel;

  @Field({ description: 'The signing secret (`whsec_...`), shown this once: it cannot be read again.' })
  secret!: string;
}

@ObjectType('WebhookDeliveryAttempt', inPublicSchema)
export class WebhookDeliveryAttemptModel {
  @Field(() => Int)
  attempt!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'The HTTP status; null when none came (refused, timeout).',
  })
  statusCode!: number | null;

  @Field(() => Int)
  latencyMs!: number;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => String, { nullable: true, description: 'At most the first 256 bytes of the answer.' })
  responseExcerpt!: string | null;

  @Field()
  createdAt!: Date;
}

@ObjectType('WebhookDelivery', { ...inPublicSchema, implements: () => [NodeInterface] })
export class WebhookDeliveryModel {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'The `webhook-id` header: the same on every attempt and replay.' })
  webhookId!: string;

  @Field(() => ID)
  endpointId!: string;

  @Field(() => WebhookEventType)
  eventType!: WebhookEventType;

  @Field({ description: 'The JSON body sent: `{type, timestamp, data}`.' })
  payload!: string;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attemptCount!: number;

  @Field(() => Date, { nullable: true })
  nextAttemptAt!: Date | null;

  @Field(() => Int, { nullable: true })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => [WebhookDeliveryAttemptModel], { description: 'Every attempt, oldest first.' })
  attempts!: WebhookDeliveryAttemptModel[];
}

export const WebhookDeliveryConnection = Connection(WebhookDeliveryModel, 'WebhookDelivery');

@InputType('CreateWebhookEndpointInput', inPublicSchema)
export class CreateWebhookEndpointInput {
  @Field({ description: 'http(s) URL of a public address; no credentials in it.' })
  url!: string;

  @Field(() => [WebhookEventType])
  events!: WebhookEventType[];

  @Field(() => String, { nullable: true, description: 'Up to 500 characters.' })
  description?: string | null;
}

@InputType('UpdateWebhookEndpointInput', inPublicSchema)
export class UpdateWebhookEndpointInput {
  @Field(() => ID)
  id!: string;

  @Field(() => [WebhookEventType], { nullable: true, description: 'null leaves them as they are.' })
  events?: WebhookEventType[] | null;

  @Field(() => String, { nullable: true, description: 'null clears it; leave it out to keep it.' })
  description?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true enables it again (clearing disabledReason and the failure count); null leaves it.',
  })
  enabled?: boolean | null;
}

@ArgsType(inPublicSchema)
export class WebhookEndpointIdArgs {
  @Field(() => ID)
  id!: string;
}

@ArgsType(inPublicSchema)
export class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => WebhookDeliveryStatus, { nullable: true })
  status?: WebhookDeliveryStatus | null;
}

@ArgsType(inPublicSchema)
export class ReplayWebhookEndpointArgs {
  @Field(() => ID)
  endpointId!: string;

  @Field({ description: 'Every delivery written at or after this time is queued again.' })
  since!: Date;
}
