import { defineEntity, p } from '@mikro-orm/core';
import { auditProperties } from '../common/audit.js';
import { tenantFilter } from '../common/tenant-filter.js';
import { Tenant } from '../tenants/tenant.entity.js';

/** WAHA's statuses, plus ours for before WAHA knows the session and after we delete it. */
export const SessionStatus = {
  CREATING: 'CREATING',
  STARTING: 'STARTING',
  SCAN_QR_CODE: 'SCAN_QR_CODE',
  /** WAHA 2026.7 (GOWS): the phone must approve the link with its passkey. */
  PASSKEY_REQUIRED: 'PASSKEY_REQUIRED',
  /** Then, sometimes: the user compares a code (passkeyCode) with the one the phone shows. */
  PASSKEY_CONFIRMATION_REQUIRED: 'PASSKEY_CONFIRMATION_REQUIRED',
  WORKING: 'WORKING',
  FAILED: 'FAILED',
  STOPPED: 'STOPPED',
  DELETING: 'DELETING',
} as const;
export type SessionStatus = (typeof SessionStatus)[keyof typeof SessionStatus];

/** WAHA's `me.messageCapping.cappingStatus` (2026.8.1): how close the account is to its cap on new chats. */
export const CappingStatus = {
  NONE: 'NONE',
  FIRST_WARNING: 'FIRST_WARNING',
  SECOND_WARNING: 'SECOND_WARNING',
  CAPPED: 'CAPPED',
} as const;
export type CappingStatus = (typeof CappingStatus)[keyof typeof CappingStatus];

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
    /** PASSKEY_CONFIRMATION_REQUIRED's code (WAHA's `payload.data.code`) the user compares with the phone's. */
    passkeyCode: p.string().length(20).nullable(),
    /** WAHA's message capping of the linked account (`me.messageCapping`); null while WAHA has not said. */
    cappingStatus: p.enum(() => CappingStatus).nullable(),
    cappingUsedQuota: p.integer().nullable(),
    /** null when WAHA says -1: no cap. */
    cappingTotalQuota: p.integer().nullable(),
    /** When the current capping cycle ends: a CAPPED account can start chats again then. */
    cappingCycleEnd: p.datetime().nullable(),
    /** WAHA's reach-out timelock (`me.reachoutTimelock`): no first message to a new contact until timelockUntil. */
    timelockActive: p.boolean().nullable(),
    timelockUntil: p.datetime().nullable(),
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
