import { Module } from '@nestjs/common';
import { PreparedStatements } from '../database/prepared-statements.js';
import { ContactIdsService } from './contact-ids.service.js';
import { OutboundReportsService } from './outbound-reports.service.js';
import { ChatSyncService } from './chat-sync.service.js';
import { ChatPagesService } from './chat-pages.service.js';
import { ChatsService } from './chats.service.js';
import { MediaDownloadWorker } from './media-download.worker.js';
import { MessageChangesService } from './message-changes.service.js';
import { MessageEvents } from './message-events.js';
import { MessageIngestService } from './message-ingest.service.js';
import { MessageReportsService } from './message-reports.service.js';
import { ReconciliationWorker } from './reconciliation.worker.js';

/**
 * Chats and messages: services only, one per caller; resolvers are registered by the API
 * modules. ChatsService serves the dashboard (reads, sends, read marks, sync requests),
 * MessageIngestService WAHA's webhooks, MessageReportsService and ChatSyncService n8n; the
 * workers (media downloads, reconciliation with WAHA) run on their own.
 */
/** What the API modules, the webhooks and the internal API call. */
const SERVICES = [
  ChatsService,
  ChatPagesService,
  MessageIngestService,
  MessageChangesService,
  MessageReportsService,
  ChatSyncService,
  ContactIdsService,
  OutboundReportsService,
  MessageEvents,
  MediaDownloadWorker,
  ReconciliationWorker,
];

@Module({ providers: [...SERVICES, PreparedStatements], exports: SERVICES })
export class ChatsModule {}
