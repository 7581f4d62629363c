/**
 * Every operation of schema/internal.graphql that takes an id, with valid variables that would
 * change something, and the ways the bad-input spec spoils those ids.
 */

export const CHAT = '4917000000401@c.us';
export const ME = '4915100000401@c.us';
export const GROUP = '120363000000000401@g.us';
/** An inbound message of CHAT in the linked session, to report a reaction to. */
const REACTED = `false_${CHAT}_3EB0REACTED`;
/** Shaped like the outbox's command ids (a ULID): n8n echoes the command it answers. */
export const COMMAND_ID = '01JBADINPUT000000000000000';

export interface Ids {
  /** A session waiting for its QR: every session report could change it. */
  waiting: string;
  /** A linked session, for the chat and message imports. */
  linked: string;
  /** A message sent through the linked session, PENDING until n8n reports it. */
  messageId: string;
}

interface Operation {
  query: string;
  variables: (ids: Ids) => Record<string, unknown>;
}

export const input = (name: string, type: string, selection: string) =>
  `mutation($input: ${type}!) { ${name}(input: $input) ${selection} }`;

export const wahaMessage = (id: string) => ({
  id: `false_${CHAT}_${id}`,
  timestamp: Math.floor(Date.now() / 1000),
  from: CHAT,
  fromMe: false,
  to: ME,
  body: 'synced',
  hasMedia: false,
  ack: 1,
});

/** Every operation of schema/internal.graphql that takes an id, with valid variables that would change something. */
export const OPERATIONS: Record<string, Operation> = {
  'Query.workflowSession': {
    query: `query($sessionId: ID!) { workflowSession(sessionId: $sessionId) { id } }`,
    variables: ({ waiting }) => ({ sessionId: waiting }),
  },
  'Mutation.reportSessionStatus': {
    query: input('reportSessionStatus', 'ReportSessionStatusInput', '{ id status }'),
    variables: ({ waiting }) => ({
      input: { sessionId: waiting, status: 'STARTING', commandId: COMMAND_ID },
    }),
  },
  'Mutation.reportQr': {
    query: input('reportQr', 'ReportQrInput', '{ id qrValue }'),
    variables: ({ waiting }) => ({ input: { sessionId: waiting, value: 'qr-new', commandId: COMMAND_ID } }),
  },
  'Mutation.reportPairingCode': {
    query: input('reportPairingCode', 'ReportPairingCodeInput', '{ id pairingCode }'),
    variables: ({ waiting }) => ({ input: { sessionId: waiting, code: 'ABCD-EFGH', commandId: COMMAND_ID } }),
  },
  'Mutation.reportLinkedAccount': {
    query: input('reportLinkedAccount', 'ReportLinkedAccountInput', '{ id me { id } }'),
    variables: ({ waiting }) => ({
      input: { sessionId: waiting, me: { id: ME, pushName: 'Shop' }, commandId: COMMAND_ID },
    }),
  },
  'Mutation.reportSessionFailure': {
    query: input('reportSessionFailure', 'ReportSessionFailureInput', '{ id lastError }'),
    variables: ({ waiting }) => ({
      input: { sessionId: waiting, reason: 'It broke', commandId: COMMAND_ID },
    }),
  },
  'Mutation.reportSessionLimits': {
    query: input('reportSessionLimits', 'ReportSessionLimitsInput', '{ id }'),
    variables: ({ linked }) => ({
      input: {
        sessionId: linked,
        capping: { cappingStatus: 'NONE', totalQuota: -1, usedQuota: 0 },
        timelock: null,
        commandId: COMMAND_ID,
      },
    }),
  },
  'Mutation.reportSessionDeleted': {
    query: input('reportSessionDeleted', 'ReportSessionDeletedInput', ''),
    variables: ({ waiting }) => ({ input: { sessionId: waiting, commandId: COMMAND_ID } }),
  },
  'Mutation.upsertChats': {
    query: input('upsertChats', 'UpsertChatsInput', '{ created }'),
    variables: ({ linked }) => ({
      input: { sessionId: linked, chats: [{ id: '4917000000402@c.us', name: 'New' }], commandId: COMMAND_ID },
    }),
  },
  'Mutation.upsertMessages': {
    query: input('upsertMessages', 'UpsertMessagesInput', '{ created }'),
    variables: ({ linked }) => ({
      input: { sessionId: linked, messages: [wahaMessage('3EB0NEWSYNC')], commandId: COMMAND_ID },
    }),
  },
  'Mutation.reportMessageSent': {
    query: input('reportMessageSent', 'ReportMessageSentInput', '{ id status }'),
    variables: ({ messageId }) => ({
      input: { messageId, wahaMessageId: `true_${CHAT}_3EB0SENT`, commandId: COMMAND_ID },
    }),
  },
  'Mutation.reportMessageFailed': {
    query: input('reportMessageFailed', 'ReportMessageFailedInput', '{ id status }'),
    variables: ({ messageId }) => ({
      input: { messageId, reason: 'Not on WhatsApp', commandId: COMMAND_ID },
    }),
  },
  'Mutation.reportReactionSent': {
    query: input('reportReactionSent', 'ReportReactionSentInput', ''),
    variables: ({ linked }) => ({
      input: { sessionId: linked, messageId: REACTED, reaction: '👍', commandId: COMMAND_ID },
    }),
  },
  'Mutation.reportGroupParticipants': {
    query: input('reportGroupParticipants', 'ReportGroupParticipantsInput', ''),
    variables: ({ linked }) => ({
      input: {
        sessionId: linked,
        chatId: GROUP,
        subject: 'Renamed',
        participants: [{ id: '4917000000402@c.us', phoneId: null, role: 'admin' }],
        commandId: COMMAND_ID,
      },
    }),
  },
  'Mutation.reportContactIds': {
    query: input('reportContactIds', 'ReportContactIdsInput', ''),
    variables: ({ linked }) => ({
      input: { sessionId: linked, lid: '88000000000401@lid', phoneId: CHAT, commandId: COMMAND_ID },
    }),
  },
};

/** Every id n8n can hand over, `Root.operation(path)`: the first test checks it is schema/internal.graphql's whole list. */
export const ID_PATHS: Record<string, string[]> = {
  'Query.workflowSession': ['sessionId'],
  'Mutation.reportSessionStatus': ['input.sessionId', 'input.commandId'],
  'Mutation.reportQr': ['input.sessionId', 'input.commandId'],
  'Mutation.reportPairingCode': ['input.sessionId', 'input.commandId'],
  'Mutation.reportLinkedAccount': ['input.sessionId', 'input.commandId'],
  'Mutation.reportSessionFailure': ['input.sessionId', 'input.commandId'],
  'Mutation.reportSessionLimits': ['input.sessionId', 'input.commandId'],
  'Mutation.reportSessionDeleted': ['input.sessionId', 'input.commandId'],
  'Mutation.upsertChats': ['input.sessionId', 'input.commandId'],
  'Mutation.upsertMessages': ['input.sessionId', 'input.commandId'],
  'Mutation.reportMessageSent': ['input.messageId', 'input.commandId'],
  'Mutation.reportMessageFailed': ['input.messageId', 'input.commandId'],
  'Mutation.reportReactionSent': ['input.sessionId', 'input.commandId', 'input.messageId'],
  'Mutation.reportGroupParticipants': [
    'input.sessionId',
    'input.commandId',
    'input.chatId',
    'input.participants.id',
  ],
  'Mutation.reportContactIds': ['input.sessionId', 'input.commandId', 'input.lid', 'input.phoneId'],
};

/** Where the error points when the id is an item's field of a list (the first item is spoiled). */
export const ERROR_FIELD: Record<string, string> = {
  'input.participants.id': 'input.participants[0].id',
};

/** Ways to spoil an id so that it can name no row. */
export const SPOILED_IDS: [string, (id: string) => string][] = [
  ['a NUL', (id) => `${id}\u0000`],
  ['a control character (ESC)', (id) => `${id}\u001b`],
  ['a DEL', (id) => `${id}\u007f`],
  ['a lone high surrogate', (id) => `${id}\uD800`],
  ['a lone low surrogate', (id) => `\uDFFF${id}`],
  ['over 200 characters', (id) => id.padEnd(201, 'x')],
];

/** `variables` with the value at `path` (dotted) replaced. */
export function withValue(
  variables: Record<string, unknown>,
  path: string,
  spoil: (value: string) => string,
) {
  const copy = structuredClone(variables);
  const keys = path.split('.');
  let at = copy;
  for (const key of keys.slice(0, -1)) {
    const next = at[key];
    // A list of inputs: its first item.
    at = (Array.isArray(next) ? next[0] : next) as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  at[last] = spoil(at[last] as string);
  return copy;
}
