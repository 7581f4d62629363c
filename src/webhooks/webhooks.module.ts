import { Module } from '@nestjs/common';
import { ChatsModule } from '../chats/chats.module.js';
import { WhatsappSessionsModule } from '../whatsapp-sessions/whatsapp-sessions.module.js';
import { WebhookIngestService } from './webhook-ingest.service.js';
import { WebhookSessions } from './webhook-sessions.js';
import { WebhooksController } from './webhooks.controller.js';

@Module({
  imports: [WhatsappSessionsModule, ChatsModule],
  controllers: [WebhooksController],
  providers: [WebhookIngestService, WebhookSessions],
})
export class WebhooksModule {}
