import { Module } from '@nestjs/common';
import { WhatsappSessionsResolver } from './whatsapp-sessions.resolver.js';
import { WhatsappSessionsService } from './whatsapp-sessions.service.js';

@Module({
  providers: [WhatsappSessionsService, WhatsappSessionsResolver],
  exports: [WhatsappSessionsService],
})
export class WhatsappSessionsModule {}
