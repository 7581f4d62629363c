import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { AuthModule } from './auth/auth.module.js';
import { formatGraphqlError } from './common/graphql-errors.js';
import { ConfigModule } from './config/config.module.js';
import { type AppConfig } from './config/env.js';
import { DatabaseModule } from './database/database.module.js';
import { TenantsModule } from './tenants/tenants.module.js';
import { WhatsappSessionsModule } from './whatsapp-sessions/whatsapp-sessions.module.js';

import { PUBLIC_GRAPHQL_PATH } from './graphql-endpoints.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(config),
        AuthModule,
        TenantsModule,
        WhatsappSessionsModule,
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: PUBLIC_GRAPHQL_PATH,
          include: [TenantsModule, WhatsappSessionsModule],
          autoSchemaFile: true,
          sortSchema: true,
          graphiql: config.graphql.playground,
          introspection: config.graphql.introspection,
          includeStacktraceInErrorResponses: false,
          formatError: formatGraphqlError,
          context: ({ req }: { req: unknown }) => ({ req }),
        }),
      ],
    };
  }
}
