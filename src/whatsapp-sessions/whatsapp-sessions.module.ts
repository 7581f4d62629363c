import { Module } from '@nestjs/common';
import { WebhookProbe } from './webhook-reachability.js';
import { SessionEvents } from './session-events.js';
import { SessionLifecycleService } from './session-lifecycle.service.js';
import { WhatsappSessionsService } from './whatsapp-sessions.service.js';

@Module({
  providers: [WhatsappSessionsService, SessionEvents, SessionLifecycleService, WebhookProbe],
  exports: [WhatsappSessionsService, SessionEvents, SessionLifecycleService],
})
export class WhatsappSessionsModule {}
