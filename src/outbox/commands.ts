import { type WahaSessionCreateRequest } from '../waha/waha.types.js';

/**
 * The commands this service sends to n8n, one n8n workflow each. Each is POSTed as a
 * CommandEnvelope to `${N8N_BASE_URL}/webhook/${N8N_WEBHOOK_PATH_PREFIX}/${path}`.
 * n8n/CONTRACT.md documents the same contract for workflow authors.
 */
export const CommandType = {
  SESSION_CREATE: 'session.create',
  SESSION_FETCH_QR: 'session.fetchQr',
  SESSION_REQUEST_CODE: 'session.requestCode',
  SESSION_STOP: 'session.stop',
  SESSION_RESTART: 'session.restart',
  SESSION_LOGOUT: 'session.logout',
  SESSION_DELETE: 'session.delete',
  SESSION_LIMITS: 'session.limits',
  MESSAGE_SEND: 'message.send',
  MESSAGE_REACT: 'message.react',
  GROUP_PARTICIPANTS: 'group.participants',
  CONTACT_LOOKUP: 'contact.lookup',
  CHATS_SYNC: 'chats.sync',
  MESSAGE_RECEIVED: 'message.received',
} as const;
export type CommandType = (typeof CommandType)[keyof typeof CommandType];
export const COMMAND_TYPES: readonly CommandType[] = Object.values(CommandType);

/** The webhook path of a command's workflow, below the prefix: `session.fetchQr` → `session-fetch-qr`. */
export function commandPath(type: CommandType): string {
  return type.replace(/\./g, '-').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export interface CommandPayloads {
  'session.create': {
    authMethod: 'QR' | 'PHONE_CODE';
    /** Digits only, with country code; set for PHONE_CODE. */
    phoneNumber: string | null;
    /** The body of `POST /api/sessions`, ready to send. */
    wahaRequest: WahaSessionCreateRequest;
  };
  'session.fetchQr': Record<string, never>;
  'session.requestCode': { phoneNumber: string };
  'session.stop': Record<string, never>;
  'session.restart': Record<string, never>;
  'session.logout': Record<string, never>;
  'session.delete': Record<string, never>;
  /**
   * Fetch the account's message capping and reach-out timelock fresh from WAHA
   * (`GET /api/sessions/{session}/capping`, `/timelock`) and report them (reportSessionLimits).
   */
  'session.limits': Record<string, never>;
  'message.send': {
    /** Our message id, to report SENT or FAILED against. */
    messageId: string;
    /** WAHA chat id (`<digits>@c.us`, `@g.us`, `@lid`). */
    chatId: string;
    /** Set when the user gave a phone number: check it exists on WhatsApp first. */
    phoneNumber: string | null;
    /** The text, or a media message's caption ('' for none). */
    text: string;
    /** WAHA's id of the message this one replies to (WAHA's `reply_to`). */
    replyTo: string | null;
    /**
     * A file to send instead of a text: n8n picks WAHA's endpoint by `kind` (sendImage,
     * sendVideo, sendVoice, sendFile) and passes `url` as WAHA's RemoteFile; the URL is a
     * signed, time-limited download of this service that WAHA fetches.
     */
    media: {
      kind: 'image' | 'video' | 'voice' | 'document';
      url: string;
      mimetype: string;
      filename: string | null;
    } | null;
  };
  'message.react': {
    /** WAHA's id of the message reacted to. */
    messageId: string;
    /** The emoji; '' removes the reaction (WAHA's MessageReactionRequest). */
    reaction: string;
  };
  /** List a group's participants (WAHA's groups API) and report them (reportGroupParticipants). */
  'group.participants': { chatId: string };
  /** Ask WAHA which phone number a LID is (`/api/{session}/lids/{lid}`) and report it (reportContactIds). */
  'contact.lookup': { lid: string };
  'chats.sync': { chatsLimit: number; messagesLimit: number };
  'message.received': {
    chatId: string;
    messageId: string;
    from: string;
    body: string | null;
    timestamp: string;
    hasMedia: boolean;
  };
}

/** What n8n's Webhook node receives. */
export interface CommandEnvelope<T extends CommandType = CommandType> {
  /** Stable across retries: also sent as the Idempotency-Key header. */
  commandId: string;
  type: T;
  tenantId: string;
  /** The WAHA session name. */
  sessionId: string | null;
  attempt: number;
  issuedAt: string;
  payload: CommandPayloads[T];
}
