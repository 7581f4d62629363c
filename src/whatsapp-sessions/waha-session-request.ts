import { type AppConfig } from '../config/env.js';
import { WAHA_WEBHOOK_EVENTS, type WahaSessionCreateRequest } from '../waha/waha.types.js';
import { type WhatsappSession } from './whatsapp-session.entity.js';

/** Metadata keys WAHA echoes in every webhook of the session; our webhook cross-checks them. */
export const METADATA_TENANT_ID = 'whatsapp-hub.tenantId';
export const METADATA_SESSION_ID = 'whatsapp-hub.sessionId';

/**
 * The body of WAHA's `POST /api/sessions` for this session: started at once (WAHA's code
 * defaults `start` to false), reporting the events we need to our own webhook URL, signed
 * with the session's own HMAC key, retried as WAHA does by default.
 */
export function wahaCreateRequest(session: WhatsappSession, config: AppConfig): WahaSessionCreateRequest {
  return {
    name: session.id,
    start: true,
    config: {
      metadata: { [METADATA_TENANT_ID]: session.tenant.id, [METADATA_SESSION_ID]: session.id },
      webhooks: [
        {
          url: config.webhooks.publicUrl,
          events: [...WAHA_WEBHOOK_EVENTS],
          hmac: { key: session.webhookHmacKey },
          retries: { policy: 'exponential', delaySeconds: 2, attempts: 15 },
          customHeaders: [],
        },
      ],
    },
  };
}
