import { Module } from '@nestjs/common';
import { ChatsService } from './chats.service.js';
import { MessageEvents } from './message-events.js';
import { MessageStoreService } from './message-store.service.js';

/** Chats and messages: services only; resolvers are registered by the API modules. */
@Module({
  providers: [ChatsService, MessageStoreService, MessageEvents],
  exports: [ChatsService, MessageStoreService, MessageEvents],
})
export class ChatsModule {}
