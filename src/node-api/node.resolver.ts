import { EntityManager } from '@mikro-orm/core';
import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { type AccessRuleOf, assertAllowed } from '../auth/access-check.js';
import { ANY_SCOPE, AnyScope, CurrentAuth, Scope, TenantAccess } from '../auth/access.decorators.js';
import { KEYS_NEED_A_USER, toApiKeyModel } from '../auth/api-keys.resolver.js';
import { ApiKeysService } from '../auth/api-keys.service.js';
import { type AuthContext, Role } from '../auth/auth-context.js';
import { toTenantModel } from '../auth/viewer.resolver.js';
import { chatNode, mediaNode, messageNode } from '../chats/chat-nodes.js';
import { DomainError } from '../common/domain-error.js';
import { type NodeType, parseGlobalId } from '../common/global-ids.js';
import { NodeInterface } from '../common/node.model.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { TenantWebhooksService } from '../tenant-webhooks/tenant-webhooks.service.js';
import { toWhatsappSessionModel } from '../whatsapp-sessions/whatsapp-session.mapper.js';
import { WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';
import { endpointNode, deliveryNode } from './webhook-nodes.js';

/** The most ids one `nodes` call takes: a page's worth. */
const MAX_NODES = 100;

/** Who may see each kind of object: the rule of the query that lists it, so node(id) opens nothing new. */
const READ_RULE: AccessRuleOf = { roles: [], scope: Scope.READ };
const RULES: Record<NodeType, AccessRuleOf> = {
  WhatsappSession: READ_RULE,
  WhatsappChat: READ_RULE,
  WhatsappMessage: READ_RULE,
  WhatsappMedia: READ_RULE,
  Tenant: { roles: [], scope: ANY_SCOPE },
  ApiKey: { roles: [Role.ADMIN], scope: undefined, usersOnly: KEYS_NEED_A_USER },
  WebhookEndpoint: { roles: [Role.ADMIN], scope: Scope.WEBHOOKS },
  WebhookDelivery: { roles: [Role.ADMIN], scope: Scope.WEBHOOKS },
};

/**
 * The Relay Node entry points: any object by its id. Every lookup runs under the request's tenant
 * filter (or names the tenant), so another tenant's id answers null, exactly like an unknown one.
 * An id that is none of this API's is BAD_USER_INPUT, as for every other id argument; an object
 * the caller may not read is refused with the code its own query would give (FORBIDDEN,
 * INSUFFICIENT_SCOPE).
 */
@Resolver()
export class NodeResolver {
  constructor(
    private readonly em: EntityManager,
    private readonly apiKeys: ApiKeysService,
    private readonly tenants: TenantsService,
    private readonly webhooks: TenantWebhooksService,
  ) {}

  @TenantAccess()
  @AnyScope()
  @Query(() => NodeInterface, {
    nullable: true,
    description: "Any object by its id; null when the caller's tenant has none with this id.",
  })
  async node(@CurrentAuth() auth: AuthContext, @Args('id', { type: () => ID }) id: string) {
    return this.load(auth, id, 'id');
  }

  @TenantAccess()
  @AnyScope()
  @Query(() => [NodeInterface], {
    nullable: 'items',
    description: `Objects by their ids (at most ${MAX_NODES}), in the order asked; null for each the caller's tenant does not have.`,
  })
  async nodes(@CurrentAuth() auth: AuthContext, @Args('ids', { type: () => [ID] }) ids: string[]) {
    if (ids.length > MAX_NODES) throw DomainError.badInput('ids', `At most ${MAX_NODES} ids`);
    // Judged whole before any lookup: one bad id refuses the call.
    ids.forEach((id, i) => this.parse(auth, id, `ids[${i}]`));
    const found = [];
    for (const [i, id] of ids.entries()) found.push(await this.load(auth, id, `ids[${i}]`));
    return found;
  }

  private parse(auth: AuthContext, id: string, field: string): { type: NodeType; key: string } {
    const parsed = parseGlobalId(id);
    if (!parsed) throw DomainError.badInput(field, `${field} is not an id this API returned`);
    assertAllowed(auth, RULES[parsed.type]);
    return parsed;
  }

  private async load(auth: AuthContext, id: string, field: string): Promise<object | null> {
    const { type, key } = this.parse(auth, id, field);
    switch (type) {
      case 'WhatsappSession': {
        const session = await this.em.findOne(WhatsappSession, { id: key, deletedAt: null });
        return session && toWhatsappSessionModel(session);
      }
      case 'WhatsappChat':
        return chatNode(this.em, key);
      case 'WhatsappMessage':
        return messageNode(this.em, key);
      case 'WhatsappMedia':
        return mediaNode(this.em, key);
      case 'ApiKey': {
        const apiKey = await this.apiKeys.find(key);
        return apiKey && toApiKeyModel(apiKey);
      }
      case 'Tenant': {
        const tenant = key === auth.tenantId ? await this.tenants.findById(key) : null;
        return tenant && toTenantModel(tenant);
      }
      case 'WebhookEndpoint':
        return endpointNode(this.webhooks, auth.tenantId, key);
      case 'WebhookDelivery':
        return deliveryNode(this.webhooks, auth.tenantId, key);
    }
  }
}
