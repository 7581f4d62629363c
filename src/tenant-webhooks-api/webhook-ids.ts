import { keyOf, toGlobalId } from '../common/global-ids.js';
import { type DeliveryRecord, type EndpointRecord } from '../tenant-webhooks/webhook-records.js';

/*
 * The service works with the rows' UUIDs; the API shows global ids (`we_…`, `wd_…`), made here
 * for every answer and taken apart here for every argument, so the two never mix.
 */

export function endpointOut(endpoint: EndpointRecord): EndpointRecord {
  return { ...endpoint, id: toGlobalId('WebhookEndpoint', endpoint.id) };
}

export function deliveryOut(delivery: DeliveryRecord): DeliveryRecord {
  return {
    ...delivery,
    id: toGlobalId('WebhookDelivery', delivery.id),
    endpointId: toGlobalId('WebhookEndpoint', delivery.endpointId),
  };
}

export function withSecretOut<T extends { endpoint: EndpointRecord }>(created: T): T {
  return { ...created, endpoint: endpointOut(created.endpoint) };
}

/** The row key of an endpoint id argument, or BAD_USER_INPUT on `field`. */
export function endpointKey(id: string, field: string): string {
  return keyOf('WebhookEndpoint', id, field);
}

export function deliveryKey(id: string, field: string): string {
  return keyOf('WebhookDelivery', id, field);
}
