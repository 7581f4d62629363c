import { type EntityManager } from '@mikro-orm/core';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { keyIfGlobal } from '../common/global-ids.js';
import { validIdArgument } from '../common/input-checks.js';
import { type Chat } from './chat.entity.js';
import { deliveryStatusOf } from './delivery-status.js';
import { Message } from './message.entity.js';
import { assertMayReact } from './outbound-limits.js';

/**
 * What the dashboard's outbound operations name, looked up in the caller's tenant (the
 * request's tenant filter): the message a reply quotes, the message a reaction is for (a chat
 * by either of its ids is ContactIdsService's findChat). A message is named by its id or by
 * WAHA's (a backend may only know the one WAHA gave). Another tenant's row is not found,
 * exactly like an unknown id, so ids cannot be probed.
 */

/** Who a message argument names: our row (its id) or WAHA's id. */
function messageWhere(messageId: string): { id: string } | { wahaId: string } {
  const key = keyIfGlobal('WhatsappMessage', messageId);
  return key ? { id: key } : { wahaId: messageId };
}

/** A message that has no WAHA id yet (n8n has not reported it SENT) cannot be quoted or reacted to. */
function notYetSent(message: Message, field: string, what: string): DomainError {
  const status = deliveryStatusOf(message.ack);
  return new DomainError(
    ErrorCode.FAILED_PRECONDITION,
    `The message is ${status}: only a message WhatsApp has (SENT or later) ${what}`,
    { field, details: { status, expected: ['SENT', 'DELIVERED', 'READ', 'PLAYED'] } },
  );
}

/**
 * The quoted message of a reply: a message of `chat` named by `replyTo`, else NOT_FOUND on
 * `field`; FAILED_PRECONDITION while it has no WAHA id (WAHA quotes by its id).
 */
export async function replyTarget(
  em: EntityManager,
  chat: Chat | null,
  replyTo: string,
  field: string,
): Promise<Message> {
  validIdArgument(replyTo, field);
  const quoted = chat
    ? await em.findOne(Message, { session: chat.session.id, chat: chat.id, ...messageWhere(replyTo) })
    : null;
  if (!quoted) {
    throw new DomainError(
      ErrorCode.NOT_FOUND,
      `Message ${JSON.stringify(replyTo)} was not found in this chat`,
      { field },
    );
  }
  if (!quoted.wahaId) throw notYetSent(quoted, field, 'can be quoted');
  return quoted;
}

/**
 * WAHA's id of the message `replyTo` names in the session (itself when it is WAHA's id), to
 * compare a retried send with the first; '' when our message has none yet (it matches no send).
 */
export async function quotedWahaId(em: EntityManager, sessionId: string, replyTo: string): Promise<string> {
  const key = keyIfGlobal('WhatsappMessage', replyTo);
  if (!key) return replyTo;
  const quoted = await em.findOne(Message, { session: sessionId, id: key }, { fields: ['wahaId'] });
  return quoted?.wahaId ?? '';
}

/**
 * The message a reaction is for, with its chat; refused (SESSION_CAPPED) while WhatsApp caps
 * the account. Our own message that n8n has not reported SENT yet has no WAHA id to react to:
 * FAILED_PRECONDITION, so the dashboard knows to wait rather than that the message is gone.
 */
export async function reactionTarget(
  em: EntityManager,
  sessionId: string,
  messageId: string,
  field: string,
): Promise<Message & { wahaId: string }> {
  validIdArgument(messageId, field);
  const message = await em.findOne(
    Message,
    { session: sessionId, ...messageWhere(messageId) },
    { populate: ['chat'], strategy: 'joined' },
  );
  if (!message) {
    throw new DomainError(ErrorCode.NOT_FOUND, `Message ${JSON.stringify(messageId)} was not found`, {
      field,
    });
  }
  // A reaction is sent as the account too: a capped account sends nothing (before any command is queued).
  await assertMayReact(em, sessionId);
  if (!message.wahaId) throw notYetSent(message, field, 'takes a reaction');
  return message as Message & { wahaId: string };
}
