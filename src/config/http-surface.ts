/**
 * The service's HTTP surface: the paths and header names that more than one part of the service
 * must agree on (the endpoint that serves a path, the shutdown gate that lets it through, the
 * probe that calls it). Plain constants, so the lowest layer can hold them and every edge can
 * import them without importing each other.
 */
export const PUBLIC_GRAPHQL_PATH = '/graphql';
export const INTERNAL_GRAPHQL_PATH = '/internal/graphql';
/** Nest route of WAHA's webhooks (no leading slash, as `@Controller` takes it). */
export const WEBHOOK_PATH = 'webhooks/waha';
const WEBHOOK_URL = new RegExp(`^/${WEBHOOK_PATH}/?(\\?.*)?$`);
/**
 * Whether a request URL (its query string and all) is the webhook's route, with or without a
 * trailing slash, as Express's router matches it: the route served ahead of Express
 * (WebhookRoute) and the request log's level for it agree on what it is.
 */
export function isWebhookUrl(url: string): boolean {
  return WEBHOOK_URL.test(url);
}
/** n8n's shared key for the internal API. */
export const INTERNAL_KEY_HEADER = 'x-internal-key';
/**
 * Marks the webhook reachability probe's request, so a replica that is shutting down still lets
 * it through (the create that sent it was taken before the stop). Not trusted: the probe is still
 * only answered when its signature holds.
 */
export const PROBE_HEADER = 'x-whatsapp-hub-probe';
/**
 * Nest route of message files (no leading slash): GET `${MEDIA_PATH}/:id` serves a file by a
 * signed link (MediaLinks), POST `${MEDIA_PATH}` takes a dashboard's upload.
 */
export const MEDIA_PATH = 'media';
