import { type NodeType, toGlobalId } from '../../../src/common/global-ids.js';
import { WEBHOOK_ID_CASES } from '../../tenant-webhooks/webhook-fragments.js';

/**
 * The id-taking operations of schema/public.graphql for session-bad-input.spec.ts, each with a
 * valid call and the argument to spoil, and the ways to spoil an id (kept here so the spec stays
 * readable as operations are added).
 */

export const CHAT = '4917000000301@c.us';
const GROUP = '120363000000000301@g.us';
const REACT = `mutation($sessionId: ID!, $messageId: ID!) { reactToWhatsappMessage(input: { sessionId: $sessionId, messageId: $messageId, reaction: "👍" }) }`;
export type Ids = Record<'sessionId' | 'apiKeyId', string>;

/** One operation taking an id: its document, valid variables, and the variable holding the id. */
export interface IdCase {
  query: string;
  variables: (ids: Ids) => Record<string, string>;
  /** The variable spoiled, which is also the argument the error must name (unless `field` says). */
  argument: string;
  /** The field the error names when it is not the variable's name (an input object's field). */
  field?: string;
  /** The kind of object the argument takes, which the error names (details.expected) when it takes one kind only. */
  expected?: NodeType;
  /** The data of a refused call, when not null: a nullable field is answered null in place. */
  refusedData?: Record<string, null>;
  subscription?: true;
}
const byId = (query: string): IdCase => ({
  query,
  variables: ({ sessionId }) => ({ id: sessionId }),
  argument: 'id',
});

/** Every id argument of schema/public.graphql (the first test checks the list is complete). */
export const ID_CASES: Record<string, IdCase> = {
  'Query.whatsappSession(id)': byId(`query($id: ID!) { whatsappSession(id: $id) { id } }`),
  'Mutation.deleteWhatsappSession(id)': byId(`mutation($id: ID!) { deleteWhatsappSession(id: $id) { id } }`),
  'Mutation.logoutWhatsappSession(id)': byId(`mutation($id: ID!) { logoutWhatsappSession(id: $id) { id } }`),
  'Mutation.stopWhatsappSession(id)': byId(`mutation($id: ID!) { stopWhatsappSession(id: $id) { id } }`),
  'Mutation.restartWhatsappSession(id)': byId(
    `mutation($id: ID!) { restartWhatsappSession(id: $id) { id } }`,
  ),
  'Mutation.refreshWhatsappSessionLimits(id)': byId(
    `mutation($id: ID!) { refreshWhatsappSessionLimits(id: $id) { id } }`,
  ),
  'Mutation.refreshWhatsappSessionQr(id)': byId(
    `mutation($id: ID!) { refreshWhatsappSessionQr(id: $id) { id } }`,
  ),
  'Mutation.requestWhatsappPairingCode(id)': byId(
    `mutation($id: ID!) { requestWhatsappPairingCode(id: $id, phoneNumber: "+49 151 2345678") { id } }`,
  ),
  'Mutation.renameWhatsappSession(id)': byId(
    `mutation($id: ID!) { renameWhatsappSession(id: $id, displayName: "Renamed") { id } }`,
  ),
  'Mutation.updateWhatsappSession(id)': byId(
    `mutation($id: ID!) { updateWhatsappSession(id: $id, input: { displayName: "Updated" }) { id } }`,
  ),
  'Subscription.whatsappSessionUpdated(id)': {
    ...byId(`subscription($id: ID!) { whatsappSessionUpdated(id: $id) { deleted } }`),
    subscription: true,
  },
  'Query.chats(sessionId)': {
    query: `query($sessionId: ID!) { chats(sessionId: $sessionId) { edges { node { id } } } }`,
    variables: ({ sessionId }) => ({ sessionId }),
    argument: 'sessionId',
  },
  'Query.messages(sessionId)': {
    query: `query($sessionId: ID!, $chatId: ID!) { messages(sessionId: $sessionId, chatId: $chatId) { edges { node { localId } } } }`,
    variables: ({ sessionId }) => ({ sessionId, chatId: CHAT }),
    argument: 'sessionId',
  },
  'Query.messages(chatId)': {
    query: `query($sessionId: ID!, $chatId: ID!) { messages(sessionId: $sessionId, chatId: $chatId) { edges { node { localId } } } }`,
    variables: ({ sessionId }) => ({ sessionId, chatId: CHAT }),
    argument: 'chatId',
  },
  'Mutation.markChatRead(sessionId)': {
    query: `mutation($sessionId: ID!, $chatId: ID!) { markChatRead(sessionId: $sessionId, chatId: $chatId) { id } }`,
    variables: ({ sessionId }) => ({ sessionId, chatId: CHAT }),
    argument: 'sessionId',
  },
  'Mutation.markChatRead(chatId)': {
    query: `mutation($sessionId: ID!, $chatId: ID!) { markChatRead(sessionId: $sessionId, chatId: $chatId) { id } }`,
    variables: ({ sessionId }) => ({ sessionId, chatId: CHAT }),
    argument: 'chatId',
  },
  'Mutation.sendWhatsappMessage(sessionId)': {
    query: `mutation($sessionId: ID!) { sendWhatsappMessage(sessionId: $sessionId, to: "${CHAT}", text: "hi") { localId } }`,
    variables: ({ sessionId }) => ({ sessionId }),
    argument: 'sessionId',
  },
  'Mutation.sendWhatsappMessage(replyTo)': {
    query: `mutation($sessionId: ID!, $replyTo: ID) { sendWhatsappMessage(sessionId: $sessionId, to: "${CHAT}", text: "hi", replyTo: $replyTo) { localId } }`,
    variables: ({ sessionId }) => ({ sessionId, replyTo: `false_${CHAT}_3EB0BADINPUT` }),
    argument: 'replyTo',
  },
  'Mutation.sendWhatsappMessage(mediaId)': {
    query: `mutation($sessionId: ID!, $mediaId: ID) { sendWhatsappMessage(sessionId: $sessionId, to: "${CHAT}", text: "hi", mediaId: $mediaId) { localId } }`,
    variables: ({ sessionId }) => ({
      sessionId,
      mediaId: toGlobalId('WhatsappMedia', '01JZZZZZZZZZZZZZZZZZZZZZZZ'),
    }),
    argument: 'mediaId',
    expected: 'WhatsappMedia',
  },
  'Query.chat(sessionId)': {
    query: `query($sessionId: ID!, $chatId: ID!) { chat(sessionId: $sessionId, chatId: $chatId) { id } }`,
    variables: ({ sessionId }) => ({ sessionId, chatId: CHAT }),
    argument: 'sessionId',
  },
  'Query.chat(chatId)': {
    query: `query($sessionId: ID!, $chatId: ID!) { chat(sessionId: $sessionId, chatId: $chatId) { id } }`,
    variables: ({ sessionId }) => ({ sessionId, chatId: CHAT }),
    argument: 'chatId',
  },
  'Mutation.refreshWhatsappGroupParticipants(sessionId)': {
    query: `mutation($sessionId: ID!, $chatId: ID!) { refreshWhatsappGroupParticipants(sessionId: $sessionId, chatId: $chatId) }`,
    variables: ({ sessionId }) => ({ sessionId, chatId: GROUP }),
    argument: 'sessionId',
  },
  'Mutation.refreshWhatsappGroupParticipants(chatId)': {
    query: `mutation($sessionId: ID!, $chatId: ID!) { refreshWhatsappGroupParticipants(sessionId: $sessionId, chatId: $chatId) }`,
    variables: ({ sessionId }) => ({ sessionId, chatId: GROUP }),
    argument: 'chatId',
  },
  'Mutation.reactToWhatsappMessage(input.sessionId)': {
    query: REACT,
    variables: ({ sessionId }) => ({ sessionId, messageId: `false_${CHAT}_3EB0BADINPUT` }),
    argument: 'sessionId',
    field: 'input.sessionId',
  },
  'Mutation.reactToWhatsappMessage(input.messageId)': {
    query: REACT,
    variables: ({ sessionId }) => ({ sessionId, messageId: `false_${CHAT}_3EB0BADINPUT` }),
    argument: 'messageId',
    field: 'input.messageId',
  },
  'Mutation.syncWhatsappChats(sessionId)': {
    query: `mutation($sessionId: ID!) { syncWhatsappChats(sessionId: $sessionId) }`,
    variables: ({ sessionId }) => ({ sessionId }),
    argument: 'sessionId',
  },
  'Mutation.revokeApiKey(id)': {
    ...byId(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`),
    variables: ({ apiKeyId }) => ({ id: apiKeyId }),
    expected: 'ApiKey',
  },
  // Any kind of id: the error cannot say which kind was meant.
  'Query.node(id)': { ...byId(`query($id: ID!) { node(id: $id) { id } }`), refusedData: { node: null } },
  // One spoiled id refuses the whole call, and the error says which of the ids it was.
  'Query.nodes(ids)': {
    query: `query($sessionId: ID!, $id: ID!) { nodes(ids: [$sessionId, $id]) { id } }`,
    variables: ({ sessionId, apiKeyId }) => ({ sessionId, id: apiKeyId }),
    argument: 'id',
    field: 'ids[1]',
  },
  ...WEBHOOK_ID_CASES,
  'Subscription.whatsappMessageUpserted(sessionId)': {
    query: `subscription($sessionId: ID!, $chatId: ID) { whatsappMessageUpserted(sessionId: $sessionId, chatId: $chatId) { replaces } }`,
    variables: ({ sessionId }) => ({ sessionId, chatId: CHAT }),
    argument: 'sessionId',
    subscription: true,
  },
  'Subscription.whatsappMessageUpserted(chatId)': {
    query: `subscription($sessionId: ID!, $chatId: ID) { whatsappMessageUpserted(sessionId: $sessionId, chatId: $chatId) { replaces } }`,
    variables: ({ sessionId }) => ({ sessionId, chatId: CHAT }),
    argument: 'chatId',
    subscription: true,
  },
};

/** Ways to spoil an id this API returned so that it can name no row. */
export const SPOILED_IDS: [string, (id: string) => string][] = [
  ['a NUL', (id) => `${id}\u0000`],
  ['a control character (BEL)', (id) => `${id}\u0007`],
  ['a line feed', (id) => `${id}\n`],
  ['a lone high surrogate', (id) => `${id}\uD800`],
  ['a lone low surrogate', (id) => `\uDC00${id}`],
  ['over 200 characters', (id) => id.padEnd(201, 'x')],
];
