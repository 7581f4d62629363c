import { Inject, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { BUNDLE_FILE_NAMES } from './playground-assets.js';
import { PLAYGROUND_ASSETS_PATH } from './playground-page.js';
import { PlaygroundAssetsMiddleware, PlaygroundPageMiddleware } from './playground.middleware.js';
import { PUBLIC_GRAPHQL_PATH } from '../config/http-surface.js';

/**
 * The GraphQL playground (GraphiQL) at GET /graphql, served with all its files by this
 * service (GRAPHQL_PLAYGROUND; off in production by default). It replaces Apollo's GraphiQL
 * landing page, which loads React and GraphiQL from a public CDN. Nest's middleware runs
 * before Apollo's, which is mounted when the GraphQL module starts.
 */
@Module({})
export class PlaygroundModule implements NestModule {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    if (!this.config.graphql.playground) return;
    consumer
      .apply(PlaygroundPageMiddleware)
      .forRoutes({ path: PUBLIC_GRAPHQL_PATH, method: RequestMethod.GET });
    consumer.apply(PlaygroundAssetsMiddleware).forRoutes(
      ...['start.js', ...BUNDLE_FILE_NAMES].map((name) => ({
        path: `${PLAYGROUND_ASSETS_PATH}/${name}`,
        method: RequestMethod.GET,
      })),
    );
  }
}
