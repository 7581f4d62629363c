import { MikroOrmModule } from '@mikro-orm/nestjs';
import { type DynamicModule, Module } from '@nestjs/common';
import { createOrmConfig } from '../../mikro-orm.config.js';
import { type AppConfig } from '../config/env.js';

@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        MikroOrmModule.forRoot({ ...createOrmConfig(config.databaseUrl), registerRequestContext: true }),
      ],
    };
  }
}
