import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentAuth, RequireScope, Scope, TenantAccess } from '../auth/access.decorators.js';
import { type AuthContext, Role } from '../auth/auth-context.js';
import { toConnection } from '../common/pagination.js';
import { TenantWebhooksService } from '../tenant-webhooks/tenant-webhooks.service.js';
import {
  CreateWebhookEndpointInput,
  ReplayWebhookEndpointArgs,
  UpdateWebhookEndpointInput,
  WebhookDeliveriesArgs,
  WebhookDeliveryConnection,
  WebhookDeliveryModel,
  WebhookEndpointIdArgs,
  WebhookEndpointModel,
  WebhookEndpointWithSecretModel,
} from './tenant-webhooks.model.js';
import { deliveryKey, deliveryOut, endpointKey, endpointOut, withSecretOut } from './webhook-ids.js';

/** A tenant's webhook endpoints and their delivery log: admins only, and keys with the webhooks scope. */
@Resolver(() => WebhookEndpointModel)
export class TenantWebhooksResolver {
  constructor(private readonly service: TenantWebhooksService) {}

  @TenantAccess(Role.ADMIN)
  @RequireScope(Scope.WEBHOOKS)
  @Query(() => [WebhookEndpointModel], { description: "The tenant's webhook endpoints, oldest first." })
  async webhookEndpoints(@CurrentAuth() auth: AuthContext) {
    return (await this.service.list(auth.tenantId)).map(endpointOut);
  }

  @TenantAccess(Role.ADMIN)
  @RequireScope(Scope.WEBHOOKS)
  @Mutation(() => WebhookEndpointWithSecretModel, {
    description:
      'Registers an endpoint for the events; answers with its signing secret, shown this once. ' +
      'BAD_USER_INPUT (details.reason) for a URL that is not http(s), carries credentials, or points to a private address.',
  })
  async createWebhookEndpoint(
    @CurrentAuth() auth: AuthContext,
    @Args('input') input: CreateWebhookEndpointInput,
  ) {
    return withSecretOut(await this.service.create(auth.tenantId, input));
  }

  @TenantAccess(Role.ADMIN)
  @RequireScope(Scope.WEBHOOKS)
  @Mutation(() => WebhookEndpointModel, {
    description: 'Changes the events, the description, or enables/disables it.',
  })
  async updateWebhookEndpoint(
    @CurrentAuth() auth: AuthContext,
    @Args('input') input: UpdateWebhookEndpointInput,
  ) {
    return endpointOut(await this.service.update(auth.tenantId, endpointKey(input.id, 'input.id'), input));
  }

  @TenantAccess(Role.ADMIN)
  @RequireScope(Scope.WEBHOOKS)
  @Mutation(() => WebhookEndpointWithSecretModel, {
    description:
      'A new signing secret, shown this once; the previous one still signs beside it until previousSecretExpiresAt.',
  })
  async rotateWebhookEndpointSecret(@CurrentAuth() auth: AuthContext, @Args() { id }: WebhookEndpointIdArgs) {
    return withSecretOut(await this.service.rotateSecret(auth.tenantId, endpointKey(id, 'id')));
  }

  @TenantAccess(Role.ADMIN)
  @RequireScope(Scope.WEBHOOKS)
  @Mutation(() => WebhookEndpointModel, {
    description: 'Deletes the endpoint with its deliveries and their log.',
  })
  async deleteWebhookEndpoint(@CurrentAuth() auth: AuthContext, @Args() { id }: WebhookEndpointIdArgs) {
    return endpointOut(await this.service.delete(auth.tenantId, endpointKey(id, 'id')));
  }

  @TenantAccess(Role.ADMIN)
  @RequireScope(Scope.WEBHOOKS)
  @Query(() => WebhookDeliveryConnection, {
    description:
      "An endpoint's deliveries, newest first, each with every attempt (status code, latency, error). `first`/`after` page to older ones, `last`/`before` to newer ones.",
  })
  async webhookDeliveries(@CurrentAuth() auth: AuthContext, @Args() args: WebhookDeliveriesArgs) {
    const endpointId = endpointKey(args.endpointId, 'endpointId');
    return toConnection(await this.service.deliveries(auth.tenantId, { ...args, endpointId }), deliveryOut);
  }

  @TenantAccess(Role.ADMIN)
  @RequireScope(Scope.WEBHOOKS)
  @Mutation(() => WebhookDeliveryModel, {
    description:
      'Delivers it again, with the same webhook-id and body (receivers deduplicate by webhook-id).',
  })
  async replayWebhookDelivery(@CurrentAuth() auth: AuthContext, @Args() { id }: WebhookEndpointIdArgs) {
    return deliveryOut(await this.service.replayDelivery(auth.tenantId, deliveryKey(id, 'id')));
  }

  @TenantAccess(Role.ADMIN)
  @RequireScope(Scope.WEBHOOKS)
  @Mutation(() => Int, {
    description:
      "Delivers again every one of the endpoint's deliveries since the time; answers how many were queued.",
  })
  async replayWebhookEndpoint(@CurrentAuth() auth: AuthContext, @Args() args: ReplayWebhookEndpointArgs) {
    return this.service.replayEndpoint(auth.tenantId, endpointKey(args.endpointId, 'endpointId'), args.since);
  }
}
