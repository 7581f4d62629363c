import { DomainError, ErrorCode } from '../common/domain-error.js';
import { deliveryOut, endpointOut } from '../tenant-webhooks-api/webhook-ids.js';
import { type TenantWebhooksService } from '../tenant-webhooks/tenant-webhooks.service.js';
import { type DeliveryRecord, type EndpointRecord } from '../tenant-webhooks/webhook-records.js';

/** The tenant's endpoint as the API shows it; null when it has none with this key. */
export async function endpointNode(
  webhooks: TenantWebhooksService,
  tenantId: string,
  key: string,
): Promise<EndpointRecord | null> {
  try {
    return endpointOut(await webhooks.get(tenantId, key));
  } catch (error) {
    if (error instanceof DomainError && error.code === ErrorCode.NOT_FOUND) return null;
    throw error;
  }
}

/** The tenant's delivery, with its attempts, as the API shows it; null when it has none with this key. */
export async function deliveryNode(
  webhooks: TenantWebhooksService,
  tenantId: string,
  key: string,
): Promise<DeliveryRecord | null> {
  const delivery = await webhooks.findDelivery(tenantId, key);
  return delivery && deliveryOut(delivery);
}
