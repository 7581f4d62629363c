import { type WhatsappSession } from './whatsapp-session.entity.js';
import { toWhatsappSessionModel } from './whatsapp-session.mapper.js';
import { type WhatsappSessionModel } from './whatsapp-session.model.js';

// What a session's live update carries, and back: apart from SessionEvents (pub/sub), so the
// rules that read updates (code-answer.ts) and their specs need no Nest and no Redis.

/** `T` as JSON makes it: dates become ISO strings. */
export type Jsonified<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Jsonified<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonified<T[K]> }
      : T;

/** What SESSION_UPDATED carries: the session as the API shows it, as JSON. */
export interface SessionUpdatedPayload {
  tenantId: string;
  /** True once the session is deleted: list views drop it. */
  deleted: boolean;
  session: Jsonified<WhatsappSessionModel>;
}

export function toSessionUpdatedPayload(session: WhatsappSession): SessionUpdatedPayload {
  return {
    tenantId: typeof session.tenant === 'string' ? session.tenant : session.tenant.id,
    deleted: session.deletedAt !== null && session.deletedAt !== undefined,
    session: JSON.parse(JSON.stringify(toWhatsappSessionModel(session))) as Jsonified<WhatsappSessionModel>,
  };
}

const toDate = (value: string | null): Date | null => (value === null ? null : new Date(value));

/** The payload's session back as the API model, for subscription resolvers. */
export function fromSessionUpdatedPayload({ session }: SessionUpdatedPayload): WhatsappSessionModel {
  return {
    ...session,
    qr: session.qr ? { ...session.qr, expiresAt: toDate(session.qr.expiresAt) } : null,
    pairingCode: session.pairingCode
      ? { ...session.pairingCode, expiresAt: toDate(session.pairingCode.expiresAt) }
      : null,
    messageCapping: session.messageCapping
      ? { ...session.messageCapping, cycleEnd: toDate(session.messageCapping.cycleEnd) }
      : null,
    reachoutTimelock: session.reachoutTimelock
      ? { ...session.reachoutTimelock, until: toDate(session.reachoutTimelock.until) }
      : null,
    lastError: session.lastError ? { ...session.lastError, at: toDate(session.lastError.at) } : null,
    createdAt: new Date(session.createdAt),
    updatedAt: new Date(session.updatedAt),
  };
}
