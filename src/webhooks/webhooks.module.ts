import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { ChatsModule } from '../chats/chats.module.js';
import { WhatsappSessionsModule } from '../whatsapp-sessions/whatsapp-sessions.module.js';
import { WebhookFastPath } from './webhook-fast-path.js';
import { WebhookIngestService } from './webhook-ingest.service.js';
import { WebhookSessions } from './webhook-sessions.js';
import { WebhooksController } from './webhooks.controller.js';
import { WEBHOOK_PATH } from '../config/http-surface.js';

@Module({
  imports: [WhatsappSessionsModule, ChatsModule],
  controllers: [WebhooksController],
  providers: [WebhookIngestService, WebhookSessions],
})
export class WebhooksModule implements NestModule {
  /** WAHA's events skip the router's pipeline (see WebhookFastPath); the app's middleware still runs first. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(WebhookFastPath).forRoutes({ path: WEBHOOK_PATH, method: RequestMethod.POST });
  }
}
