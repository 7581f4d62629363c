import { Global, Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { GraphqlWsServer } from './graphql-ws.js';

/** The graphql-ws transport of the public endpoint: socket auth and per-operation context. */
@Global()
@Module({
  imports: [TenantsModule],
  providers: [GraphqlWsServer],
  exports: [GraphqlWsServer],
})
export class GraphqlWsModule {}
