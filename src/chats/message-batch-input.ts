import { type Actor } from '../common/audit.js';
import { type ReceivedEvent } from '../inbox/webhook-events.js';
import { newInboundMedia } from '../media/media-rows.js';
import { type CommandPayloads, CommandType } from '../outbox/commands.js';
import { newOutboxCommand } from '../outbox/outbox-rows.js';
import { isLid, personIdOf } from '../waha/chat-ids.js';
import { type IncomingMessage } from '../waha/waha-message.js';
import { type SessionRef } from './message-rows.js';
import { type MessageInsert } from './message-sql.js';

/**
 * A message ready for its statement (MessageIngestService), alone or in a batch
 * (MessageBatcher): all but the row ids, which each run of the statement makes anew.
 */
export type PreparedMessage = Omit<MessageInsert, 'chatPk' | 'messagePk'>;

/** The chat of a message, for MessageBatcher (its lane and its place in a batch's lock order). */
export function chatKeyOf(input: PreparedMessage): string {
  return `${input.ref.sessionId}/${input.message.chatId}`;
}

/**
 * What a message's statement writes besides the message, made once when it arrives: its
 * message.received command (`news`: an inbound webhook message), a new `@lid` chat's
 * contact.lookup command, its media row. The commands' ids are made here, so they sort in the
 * order the messages arrived.
 */
export function prepareMessage(
  ref: SessionRef,
  message: IncomingMessage,
  actor: Actor,
  options: { event: ReceivedEvent | undefined; news: boolean },
): PreparedMessage {
  const now = new Date();
  const { news } = options;
  const command = news
    ? newOutboxCommand(
        CommandType.MESSAGE_RECEIVED,
        ref,
        {
          chatId: message.chatId,
          messageId: message.wahaId,
          from: message.chatId,
          body: message.body,
          timestamp: message.timestamp.toISOString(),
          hasMedia: message.hasMedia,
        } satisfies CommandPayloads[typeof CommandType.MESSAGE_RECEIVED],
        now,
      )
    : null;
  // A person known only by LID: n8n asks WAHA for the phone number, once, when its chat is new.
  const lookup =
    isLid(message.chatId) && personIdOf(message.chatId) === message.chatId && message.altChatId === null
      ? newOutboxCommand(CommandType.CONTACT_LOOKUP, ref, { lid: message.chatId }, now)
      : null;
  const media = message.media ? newInboundMedia(ref, message.media, actor, now) : null;
  return { ref, event: options.event, message, news, command, lookup, media, actor, now };
}
