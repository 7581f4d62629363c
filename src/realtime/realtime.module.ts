import { Global, Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module.js';
import { GraphqlWsServer } from './graphql-ws.js';
import { RealtimeService } from './realtime.service.js';

@Global()
@Module({
  imports: [TenantsModule],
  providers: [RealtimeService, GraphqlWsServer],
  exports: [RealtimeService, GraphqlWsServer],
})
export class RealtimeModule {}
