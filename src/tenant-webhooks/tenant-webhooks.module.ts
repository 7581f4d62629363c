import { Global, Module } from '@nestjs/common';
import { TenantWebhooksService } from './tenant-webhooks.service.js';
import { WebhookDeliverer } from './webhook-deliverer.js';

/**
 * Tenants' webhook endpoints and their deliverer. The domains write deliveries with
 * deliveriesInsertSql in their own statements; nothing here knows the domains.
 */
@Global()
@Module({
  providers: [TenantWebhooksService, WebhookDeliverer],
  exports: [TenantWebhooksService, WebhookDeliverer],
})
export class TenantWebhooksModule {}
