import { ApiKey } from './auth/api-key.entity.js';
import { Chat } from './chats/chat.entity.js';
import { MessageAckHold } from './chats/message-ack-hold.entity.js';
import { Message } from './chats/message.entity.js';
import { MessageReaction } from './chats/message-reaction.entity.js';
import { SessionReconciliation } from './chats/session-reconciliation.entity.js';
import { Media } from './media/media.entity.js';
import { OutboxCommand } from './outbox/outbox-command.entity.js';
import { SendPacing } from './outbox/send-pacing.entity.js';
import { Tenant } from './tenants/tenant.entity.js';
import { TenantWebhookAttempt, TenantWebhookDelivery } from './tenant-webhooks/webhook-delivery.entity.js';
import { TenantWebhookEndpoint } from './tenant-webhooks/webhook-endpoint.entity.js';
import { WebhookEvent } from './inbox/webhook-event.entity.js';
import { WhatsappSession } from './whatsapp-sessions/whatsapp-session.entity.js';

/** Every entity the ORM knows; one list for the app, the CLIs and the tests. */
export const entities = [
  Tenant,
  WhatsappSession,
  OutboxCommand,
  SendPacing,
  Chat,
  Message,
  MessageAckHold,
  WebhookEvent,
  Media,
  MessageReaction,
  SessionReconciliation,
  TenantWebhookEndpoint,
  TenantWebhookDelivery,
  TenantWebhookAttempt,
  ApiKey,
];
