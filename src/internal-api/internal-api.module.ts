import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { GraphqlObservabilityPlugin } from '../graphql/graphql-observability.plugin.js';
import { ChatsModule } from '../chats/chats.module.js';
import { WhatsappSessionsModule } from '../whatsapp-sessions/whatsapp-sessions.module.js';
import { InternalAccessMiddleware } from './internal-access.middleware.js';
import { JsonScalar } from './json.scalar.js';
import { MessageReportsResolver } from './message-reports.resolver.js';
import { OutboundReportsResolver } from './outbound-reports.resolver.js';
import { SessionReportsResolver } from './session-reports.resolver.js';
import { INTERNAL_GRAPHQL_PATH } from '../config/http-surface.js';

/** n8n's API: write-backs and the queries workflows need. Served only on /internal/graphql. */
@Module({
  imports: [WhatsappSessionsModule, ChatsModule],
  providers: [
    GraphqlObservabilityPlugin,
    SessionReportsResolver,
    MessageReportsResolver,
    OutboundReportsResolver,
    // n8n is its only caller; provided here so the chats module need not change for it.
    JsonScalar,
  ],
})
export class InternalApiModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(InternalAccessMiddleware)
      .forRoutes({ path: INTERNAL_GRAPHQL_PATH, method: RequestMethod.ALL });
  }
}
