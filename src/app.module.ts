import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { AuthModule } from './auth/auth.module.js';
import { formatGraphqlError } from './graphql/graphql-errors.js';
import { InternalSchema, PublicSchema } from './common/graphql-schemas.js';
import { ConfigModule } from './config/config.module.js';
import { type AppConfig } from './config/env.js';
import { DatabaseModule } from './database/database.module.js';
import { InternalApiModule } from './internal-api/internal-api.module.js';
import { OutboxModule } from './outbox/outbox.module.js';
import { MediaModule } from './media/media.module.js';
import { MediaApiModule } from './media-api/media-api.module.js';
import { OperationsModule } from './health/operations.module.js';
import { PlaygroundModule } from './playground/playground.module.js';
import { loggingModule } from './observability/logging.js';
import { MetricsModule } from './observability/metrics.js';
import { RedisCommandsModule } from './common/redis-commands.js';
import { PublicApiModule } from './public-api.module.js';
import { GraphqlWsServer } from './graphql/graphql-ws.js';
import { GraphqlWsModule } from './graphql/graphql-ws.module.js';
import { RealtimeModule } from './realtime/realtime.module.js';
import { TenantsModule } from './tenants/tenants.module.js';
import { TenantWebhooksModule } from './tenant-webhooks/tenant-webhooks.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WhatsappSessionsModule } from './whatsapp-sessions/whatsapp-sessions.module.js';
import { INTERNAL_GRAPHQL_PATH, PUBLIC_GRAPHQL_PATH } from './config/http-surface.js';

/** Settings both GraphQL endpoints share: errors are mapped in one place, never with a stack. */
const common = {
  driver: ApolloDriver,
  autoSchemaFile: true,
  sortSchema: true,
  includeStacktraceInErrorResponses: false,
  formatError: formatGraphqlError,
  context: ({ req }: { req: unknown }) => ({ req }),
} satisfies ApolloDriverConfig;

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(config),
        loggingModule(config),
        MetricsModule,
        RedisCommandsModule,
        OperationsModule,
        RealtimeModule,
        GraphqlWsModule,
        OutboxModule,
        MediaModule,
        TenantWebhooksModule,
        AuthModule,
        TenantsModule,
        WhatsappSessionsModule,
        PublicApiModule,
        InternalApiModule,
        WebhooksModule,
        MediaApiModule,
        PlaygroundModule,
        PublicSchema,
        InternalSchema,
        // Async only to inject the WebSocket side, which runs operations on this endpoint's schema.
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [GraphqlWsServer],
          useFactory: (ws: GraphqlWsServer) => ({
            ...common,
            path: PUBLIC_GRAPHQL_PATH,
            include: [PublicSchema, PublicApiModule],
            // Never Apollo's GraphiQL page (it loads from a CDN): PlaygroundModule serves one with no internet.
            graphiql: false,
            introspection: config.graphql.introspection,
            // Subscriptions over graphql-ws's protocol on the same path, served by our own transport
            // (no `subscriptions` here: it owns the upgrade); see src/graphql/graphql-ws.ts.
            plugins: [ws.apolloPlugin('public')],
          }),
        }),
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [GraphqlWsServer],
          useFactory: (ws: GraphqlWsServer) => ({
            ...common,
            path: INTERNAL_GRAPHQL_PATH,
            include: [InternalSchema, InternalApiModule],
            graphiql: false,
            // Only n8n's key gets this far (InternalAccessMiddleware), and workflow authors want the schema.
            introspection: true,
            // Its drain closes the public endpoint's sockets too, whichever server stops first.
            plugins: [ws.apolloPlugin('internal')],
          }),
        }),
      ],
    };
  }
}
