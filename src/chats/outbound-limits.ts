import { type EntityManager } from '@mikro-orm/core';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { timelockHolds } from '../whatsapp-sessions/session-limits.js';
import { CappingStatus, WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';
import { findChat } from './contact-ids.service.js';
import { Message } from './message.entity.js';

/**
 * WhatsApp's 2026 limits, judged before anything is stored: WAHA would fail the send anyway
 * (463 for a timelocked reach-out), and a message stored PENDING would only turn FAILED later,
 * or sit in the queue with no word why. So a send the limits forbid is refused at once, with its
 * own code and when it clears, and writes nothing. The limits are what WAHA last reported
 * (session-limits.ts); a limit whose end has passed no longer refuses (WAHA's word that it
 * lifted may still be on its way).
 */

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

/** CAPPED, with its cycle still running: nothing goes out. */
function assertNotCapped(session: WhatsappSession, now: number): void {
  if (session.cappingStatus !== CappingStatus.CAPPED) return;
  const clearsAt = session.cappingCycleEnd ?? null;
  if (clearsAt && clearsAt.getTime() <= now) return;
  throw new DomainError(
    ErrorCode.SESSION_CAPPED,
    clearsAt
      ? `WhatsApp has capped this number's messages until ${clearsAt.toISOString()}: nothing is sent until then`
      : "WhatsApp has capped this number's messages: nothing is sent until the cap clears",
    {
      details: {
        clearsAt: iso(clearsAt),
        usedQuota: session.cappingUsedQuota ?? null,
        totalQuota: session.cappingTotalQuota ?? null,
      },
    },
  );
}

/**
 * Whether `chatId` is a new contact for the reach-out timelock: no chat with it yet, or one
 * where it has never written (only our own messages). A group is never a new contact.
 */
async function isNewContact(em: EntityManager, sessionId: string, chatId: string): Promise<boolean> {
  if (chatId.endsWith('@g.us')) return false;
  const chat = await findChat(em, sessionId, chatId);
  if (!chat) return true;
  return (await em.count(Message, { chat: chat.id, fromMe: false })) === 0;
}

/**
 * A message (text or file) to `chatId` of the session: refused while CAPPED, or while the
 * reach-out timelock holds and `chatId` is a new contact. Looks the session up in `em` (the
 * caller's, which usually has it already).
 */
export async function assertMaySend(em: EntityManager, sessionId: string, chatId: string): Promise<void> {
  const session = await em.findOneOrFail(WhatsappSession, { id: sessionId });
  const now = Date.now();
  assertNotCapped(session, now);
  if (timelockHolds(session, now) && (await isNewContact(em, sessionId, chatId))) {
    const clearsAt = session.timelockUntil ?? null;
    throw new DomainError(
      ErrorCode.SESSION_TIMELOCKED,
      clearsAt
        ? `WhatsApp does not let this number message new contacts until ${clearsAt.toISOString()}; replies in existing chats still go out`
        : 'WhatsApp does not let this number message new contacts for now; replies in existing chats still go out',
      { details: { clearsAt: iso(clearsAt) } },
    );
  }
}

/** Anything else sent as the account (a reaction): refused while CAPPED. */
export async function assertMayReact(em: EntityManager, sessionId: string): Promise<void> {
  assertNotCapped(await em.findOneOrFail(WhatsappSession, { id: sessionId }), Date.now());
}
