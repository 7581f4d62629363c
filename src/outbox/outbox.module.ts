import { Global, Module } from '@nestjs/common';
import { N8nClient } from './n8n.client.js';
import { OutboxDispatcher } from './outbox.dispatcher.js';
import { OutboxService } from './outbox.service.js';
import { SendPacer } from './send-pacing.js';

/** The outbox and its delivery to n8n. Domain modules enqueue; nothing here knows the domain. */
@Global()
@Module({
  providers: [OutboxService, OutboxDispatcher, N8nClient, SendPacer],
  exports: [OutboxService, OutboxDispatcher],
})
export class OutboxModule {}
