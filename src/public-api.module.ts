import { Module } from '@nestjs/common';
import { ApiKeysResolver } from './auth/api-keys.resolver.js';
import { ChatsModule } from './chats/chats.module.js';
import { ChatsResolver } from './chats/chats.resolver.js';
import { ChatsSubscriptions } from './chats/chats.subscriptions.js';
import { GraphqlObservabilityPlugin } from './graphql/graphql-observability.plugin.js';
import { MediaUrlResolver } from './media-api/media-url.resolver.js';
import { NodeResolver } from './node-api/node.resolver.js';
import { TenantWebhooksResolver } from './tenant-webhooks-api/tenant-webhooks.resolver.js';
import { TenantsModule } from './tenants/tenants.module.js';
import { ViewerResolver } from './auth/viewer.resolver.js';
import { WhatsappSessionsModule } from './whatsapp-sessions/whatsapp-sessions.module.js';
import { WhatsappSessionSubscriptions } from './whatsapp-sessions/whatsapp-session.subscriptions.js';
import {
  WhatsappQrResolver,
  WhatsappSessionsResolver,
} from './whatsapp-sessions/whatsapp-sessions.resolver.js';

/**
 * Every resolver served on /graphql, in one place. Domain modules hold services only:
 * @nestjs/graphql's `include` follows module imports, so a resolver registered in a domain
 * module would also appear on every endpoint whose module imports that domain.
 */
@Module({
  imports: [TenantsModule, WhatsappSessionsModule, ChatsModule],
  providers: [
    GraphqlObservabilityPlugin,
    ViewerResolver,
    ApiKeysResolver,
    WhatsappSessionsResolver,
    WhatsappQrResolver,
    WhatsappSessionSubscriptions,
    ChatsResolver,
    ChatsSubscriptions,
    MediaUrlResolver,
    TenantWebhooksResolver,
    NodeResolver,
  ],
})
export class PublicApiModule {}
