import { type DynamicModule, Module } from '@nestjs/common';

import { WahaClient, type WahaClientOptions } from './waha.client.js';

/**
 * Provides one WahaClient. The options come from a factory the app passes in, so this
 * folder never reads configuration itself.
 */
@Module({})
export class WahaModule {
  static forRoot(options: () => WahaClientOptions): DynamicModule {
    return {
      module: WahaModule,
      global: true,
      providers: [{ provide: WahaClient, useFactory: () => new WahaClient(options()) }],
      exports: [WahaClient],
    };
  }
}
