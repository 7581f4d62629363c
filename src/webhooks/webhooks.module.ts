import { Module } from '@nestjs/common';
import { ChatsModule } from '../chats/chats.module.js';
import { WhatsappSessionsModule } from '../whatsapp-sessions/whatsapp-sessions.module.js';
import { WebhookIngestService } from './webhook-ingest.service.js';
import { WebhookRoute } from './webhook-route.js';
import { WebhookSessions } from './webhook-sessions.js';
import { WebhooksController } from './webhooks.controller.js';

/** WAHA's events: served by WebhookRoute ahead of Express (bootstrap.ts installs it), declared by the controller. */
@Module({
  imports: [WhatsappSessionsModule, ChatsModule],
  controllers: [WebhooksController],
  providers: [WebhookIngestService, WebhookSessions, WebhookRoute],
})
export class WebhooksModule {}
