import { type EntityManager } from '@mikro-orm/core';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { validIdArgument } from '../common/input-checks.js';
import { type Chat } from './chat.entity.js';
import { deliveryStatusOf } from './delivery-status.js';
import { Message } from './message.entity.js';
import { assertMayReact } from './outbound-limits.js';

/**
 * What the dashboard's outbound operations name, looked up in the caller's tenant (the
 * request's tenant filter): the message a reply quotes, the message a reaction is for (a chat
 * by either of its ids is ContactIdsService's findChat). Another tenant's row is not found,
 * exactly like an unknown id, so ids cannot be probed.
 */

/** The quoted message of a reply: a message of `chat` with WAHA id `replyTo`, else NOT_FOUND on `field`. */
export async function replyTarget(
  em: EntityManager,
  chat: Chat | null,
  replyTo: string,
  field: string,
): Promise<Message> {
  validIdArgument(replyTo, field);
  const quoted = chat
    ? await em.findOne(Message, { session: chat.session.id, chat: chat.id, wahaId: replyTo })
    : null;
  if (!quoted) {
    throw new DomainError(
      ErrorCode.NOT_FOUND,
      `Message ${JSON.stringify(replyTo)} was not found in this chat`,
      { field },
    );
  }
  return quoted;
}

/**
 * The message a reaction is for, by WAHA's id, with its chat; refused (SESSION_CAPPED) while
 * WhatsApp caps the account. Our own message that n8n has not
 * reported SENT yet (named by its localId) has no WAHA id to react to: FAILED_PRECONDITION,
 * so the dashboard knows to wait rather than that the message is gone.
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
    { session: sessionId, $or: [{ wahaId: messageId }, { id: messageId, wahaId: null }] },
    { populate: ['chat'], strategy: 'joined' },
  );
  if (!message) {
    throw new DomainError(ErrorCode.NOT_FOUND, `Message ${JSON.stringify(messageId)} was not found`, {
      field,
    });
  }
  // A reaction is sent as the account too: a capped account sends nothing (before any command is queued).
  await assertMayReact(em, sessionId);
  if (!message.wahaId) {
    const status = deliveryStatusOf(message.ack);
    throw new DomainError(
      ErrorCode.FAILED_PRECONDITION,
      `The message is ${status}: only a message WhatsApp has (SENT or later) takes a reaction`,
      { field, details: { status, expected: ['SENT', 'DELIVERED', 'READ', 'PLAYED'] } },
    );
  }
  return message as Message & { wahaId: string };
}
