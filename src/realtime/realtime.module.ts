import { Global, Module } from '@nestjs/common';
import { RealtimeService } from './realtime.service.js';

/** Pub/sub over Redis: the port domain services publish to and subscriptions read from. */
@Global()
@Module({
  providers: [RealtimeService],
  exports: [RealtimeService],
})
export class RealtimeModule {}
