/**
 * What happens to a message after it was sent: a reaction (`message.reaction`), an edit
 * (`message.edited`), a revoke for everyone (`message.revoked`), with WAHA's payloads.
 * WAHA's `editedMessageId` and `revokedMessageId` are the engine's id of the message (without
 * `{fromMe}_{chatId}_`); the payload's own id is the action's (WEBJS: the message's own).
 */
import { WAHA_ACK_NAMES, type MeInfo, type WAMessage } from '../../../src/waha/waha.types.js';
import type * as Spec from '../../../src/waha/generated/types.gen.js';
import { newEngineMessageId, nowSeconds, wahaMessageId } from './sim-compose.js';
import { SimControlError } from './sim-errors.js';
import type { FoundMessage, SimMessaging } from './sim-messaging.js';
import { jid, type RawContent, rawData, type RawEnvelope } from './sim-raw.js';
import type { SimEngineName, SimSession } from './sim-session.js';

export type WAMessageReaction = Spec.WAMessageReaction;
export type WAMessageEditedBody = Omit<Spec.WAMessageEditedBody, 'participant' | 'mediaUrl'> & {
  participant?: string;
};
/** `before`: WEBJS sends the message as it was; NOWEB and GOWS send null (as WAHA's docs say). */
export type WAMessageRevokedBody = Omit<Spec.WAMessageRevokedBody, 'before' | 'after'> & {
  after: WAMessage;
  before: WAMessage | null;
};

const bad = (message: string) => new SimControlError(400, message);

export interface ReactInput {
  messageId: string;
  /** Who reacts: in a chat with a person that person (the default) or the account; in a group a participant. */
  from?: string;
  /** The emoji; '' removes the reaction. */
  reaction: string;
}

/** A reaction to a stored message: `message.reaction`. `api`: the account reacted through WAHA's API. */
export function react(
  messaging: SimMessaging,
  session: SimSession,
  input: ReactInput,
  api = false,
): WAMessageReaction {
  if (typeof input?.messageId !== 'string') throw bad('react needs `messageId`');
  if (typeof input.reaction !== 'string') throw bad("react needs `reaction`, an emoji or '' to remove");
  requireWorking(session, 'reactions');
  const { message, chat } = messaging.require(session, input.messageId);
  const me = session.me as MeInfo;
  const group = chat.id.endsWith('@g.us');
  const reactor = api ? me.id : (input.from ?? (group ? undefined : chat.id));
  if (typeof reactor !== 'string') throw bad('in a group, react needs `from`: the participant who reacts');
  const fromMe = reactor === me.id || reactor === me.lid;
  if (!group && !fromMe && reactor !== chat.id) {
    throw bad(`in chat ${chat.id} only ${chat.id} or the account (${me.id}) can react`);
  }
  const participant = fromMe ? me.id : reactor;
  const payload: WAMessageReaction = {
    id: wahaMessageId(fromMe, chat.id, newEngineMessageId(messaging.engine), participant),
    timestamp: nowSeconds(),
    from: fromMe ? me.id : chat.id,
    fromMe,
    source: api ? 'api' : 'app',
    to: fromMe ? chat.id : me.id,
    participant,
    reaction: { text: input.reaction, messageId: message.id },
  };
  messaging.emit(session, 'message.reaction', payload);
  return payload;
}

/** The author edits a stored message's text (or caption): `message.edited`. */
export function edit(
  messaging: SimMessaging,
  session: SimSession,
  input: { messageId: string; body: string },
): WAMessageEditedBody {
  if (typeof input?.messageId !== 'string') throw bad('edit needs `messageId`');
  if (typeof input.body !== 'string') throw bad('edit needs the new `body`');
  requireWorking(session, 'edits');
  const found = messaging.require(session, input.messageId);
  const { message, meta } = found;
  message.body = input.body;
  meta.content = { ...meta.content, body: input.body };
  const action = actionOf(messaging.engine, session, found);
  const content: RawContent = { kind: 'text', body: input.body };
  const data = rawData(messaging.engine, action, content);
  protocol(messaging.engine, data, found, { type: 'MESSAGE_EDIT', code: 14, body: input.body });
  const payload: WAMessageEditedBody = {
    ...actionMessage(action, message),
    body: input.body,
    editedMessageId: meta.envelope.engineId,
    _data: data,
  };
  messaging.emit(session, 'message.edited', payload);
  return payload;
}

/** The author deletes a stored message for everyone: `message.revoked`. */
export function revoke(
  messaging: SimMessaging,
  session: SimSession,
  input: { messageId: string },
): WAMessageRevokedBody {
  if (typeof input?.messageId !== 'string') throw bad('revoke needs `messageId`');
  requireWorking(session, 'revokes');
  const found = messaging.require(session, input.messageId);
  const { message, meta } = found;
  const before = messaging.engine === 'WEBJS' ? structuredClone(message) : null;
  const action = actionOf(messaging.engine, session, found);
  const data = rawData(messaging.engine, action, { kind: 'text', body: '' });
  if (messaging.engine === 'WEBJS') {
    data.type = 'revoked';
    delete data.body;
  }
  protocol(messaging.engine, data, found, { type: 'REVOKE', code: 0 });
  const after: WAMessage = { ...actionMessage(action, message), body: '', _data: data };

  // What stays in the chat: an empty, revoked message (its file stays in WAHA's storage).
  Object.assign(message, { body: '', hasMedia: false, vCards: [] });
  for (const key of ['media', 'mediaUrl', 'location', 'replyTo'] as const) delete message[key];
  if (messaging.engine === 'WEBJS') message._data = { ...data };
  meta.content = { kind: 'text', body: '' };

  const payload: WAMessageRevokedBody = {
    after,
    before,
    revokedMessageId: meta.envelope.engineId,
    ...(messaging.engine === 'GOWS' ? { _data: data } : {}),
  };
  messaging.emit(session, 'message.revoked', payload);
  return payload;
}

function requireWorking(session: SimSession, what: string): void {
  if (session.status !== 'WORKING') {
    throw new SimControlError(409, `session ${session.name} is ${session.status}; ${what} need WORKING`);
  }
}

/** The edit or revoke itself, a message of the author in the same chat (WEBJS: the same id). */
function actionOf(engine: SimEngineName, session: SimSession, found: FoundMessage): RawEnvelope {
  const original = found.meta.envelope;
  const engineId = engine === 'WEBJS' ? original.engineId : newEngineMessageId(engine);
  return {
    ...original,
    me: session.me as MeInfo,
    engineId,
    id: wahaMessageId(original.fromMe, original.chatId, engineId, original.author),
    timestamp: nowSeconds(),
  };
}

function actionMessage(action: RawEnvelope, message: WAMessage): WAMessage {
  return {
    id: action.id,
    timestamp: action.timestamp,
    from: message.from,
    fromMe: message.fromMe,
    source: 'app',
    to: message.to,
    ...(message.participant ? { participant: message.participant } : {}),
    body: '',
    hasMedia: false,
    ack: message.ack,
    ackName: WAHA_ACK_NAMES[message.ack],
    vCards: [],
  };
}

/** NOWEB and GOWS carry an edit or revoke as a protocol message naming the original. */
function protocol(
  engine: SimEngineName,
  data: Record<string, unknown>,
  found: FoundMessage,
  what: { type: string; code: number; body?: string },
): void {
  const original = found.meta.envelope;
  const edited = what.body === undefined ? {} : { editedMessage: { conversation: what.body } };
  if (engine === 'NOWEB') {
    data.message = {
      protocolMessage: {
        key: { remoteJid: jid(original.chatId), fromMe: original.fromMe, id: original.engineId },
        type: what.type,
        ...edited,
      },
    };
  } else if (engine === 'GOWS') {
    data.Message = {
      protocolMessage: {
        key: { remoteJID: jid(original.chatId), fromMe: original.fromMe, ID: original.engineId },
        type: what.code,
        ...edited,
      },
    };
    if (what.body !== undefined) (data.Info as Record<string, unknown>).Edit = '1';
  } else if (what.body !== undefined) {
    Object.assign(data, {
      latestEditMsgKey: { id: original.engineId },
      latestEditSenderTimestampMs: Date.now(),
    });
  }
}
