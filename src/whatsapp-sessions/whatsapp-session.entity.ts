import { defineEntity, p } from '@mikro-orm/core';
import { auditProperties } from '../common/audit.js';
import { tenantFilter } from '../common/tenant-filter.js';
import { Tenant } from '../tenants/tenant.entity.js';

/** WAHA's statuses, plus ours for before WAHA knows the session and after we delete it. */
export const SessionStatus = {
  CREATING: 'CREATING',
  STARTING: 'STARTING',
  SCAN_QR_CODE: 'SCAN_QR_CODE',
  WORKING: 'WORKING',
  FAILED: 'FAILED',
  STOPPED: 'STOPPED',
  DELETING: 'DELETING',
} as const;
export type SessionStatus = (typeof SessionStatus)[keyof typeof SessionStatus];

export const AuthMethod = { QR: 'QR', PHONE_CODE: 'PHONE_CODE' } as const;
export type AuthMethod = (typeof AuthMethod)[keyof typeof AuthMethod];

export const WhatsappSessionSchema = defineEntity({
  name: 'WhatsappSession',
  tableName: 'whatsapp_sessions',
  filters: { tenant: tenantFilter },
  properties: {
    /** Also the session's name in WAHA: `[a-zA-Z0-9_-]`, at most 54 characters. */
    id: p.string().length(54).primary(),
    tenant: () => p.manyToOne(Tenant).deleteRule('cascade'),
    displayName: p.string().length(100),
    authMethod: p.enum(() => AuthMethod),
    /** Digits only, with country code (what WAHA's request-code wants). */
    phoneNumber: p.string().length(15).nullable(),
    status: p.enum(() => SessionStatus).default(SessionStatus.CREATING),
    meId: p.string().length(100).nullable(),
    mePushName: p.string().length(200).nullable(),
    qrValue: p.text().nullable(),
    qrExpiresAt: p.datetime().nullable(),
    /** Which QR of WAHA's series of six this is (1 = the first, 60 s; then 20 s each). */
    qrSequence: p.smallint().nullable(),
    pairingCode: p.string().length(20).nullable(),
    pairingCodeExpiresAt: p.datetime().nullable(),
    lastError: p.text().nullable(),
    lastErrorAt: p.datetime().nullable(),
    /**
     * When the account linked now was linked (its first WORKING since a QR or code window);
     * null while none is. A newly linked number sends slower (SEND_PACING_WARMUP).
     */
    linkedAt: p.datetime().nullable(),
    /** When the session's current WORKING stretch began; null when it is not WORKING. A new one is a reconnect. */
    workingSince: p.datetime().nullable(),
    /** Per-session key WAHA signs its webhooks with; never exposed through GraphQL. */
    webhookHmacKey: p.string().length(128).hidden(),
    /** Optional client key making create idempotent per tenant. */
    idempotencyKey: p.string().length(100).nullable(),
    deletedAt: p.datetime().nullable(),
    ...auditProperties,
  },
  indexes: [{ properties: ['tenant', 'status'] }],
  uniques: [
    { properties: ['tenant', 'idempotencyKey'] },
    {
      // Display names are unique per tenant, ignoring case, among sessions not deleted.
      name: 'whatsapp_sessions_tenant_display_name_unique',
      expression:
        'create unique index "whatsapp_sessions_tenant_display_name_unique" on "whatsapp_sessions" ("tenant_id", lower("display_name")) where "deleted_at" is null',
    },
  ],
});

export class WhatsappSession extends WhatsappSessionSchema.class {}
WhatsappSessionSchema.setClass(WhatsappSession);
