import { Module } from '@nestjs/common';
import { PreparedStatements } from '../database/prepared-statements.js';
import { LinkCodeWrites } from './link-code-writes.js';
import { WebhookProbe } from './webhook-reachability.js';
import { SessionEvents } from './session-events.js';
import { SessionLifecycleService } from './session-lifecycle.service.js';
import { SessionLinkingService } from './session-linking.service.js';
import { WhatsappSessionsService } from './whatsapp-sessions.service.js';

@Module({
  providers: [
    WhatsappSessionsService,
    SessionLinkingService,
    SessionEvents,
    SessionLifecycleService,
    WebhookProbe,
    LinkCodeWrites,
    PreparedStatements,
  ],
  exports: [WhatsappSessionsService, SessionLinkingService, SessionEvents, SessionLifecycleService],
})
export class WhatsappSessionsModule {}
