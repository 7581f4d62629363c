/**
 * WAHA's vocabulary: the types generated from WAHA's own spec (`../shared/waha/openapi.json`,
 * WAHA 2026.7.1) into ./generated/ by `npm run waha:types`, and this thin hand-written
 * overlay over them. Each name below that carries a `components.schemas` name is that schema:
 * an alias of the generated type where WAHA does what its spec says; where WAHA itself
 * departs from its spec, the type follows WAHA and says why (the same departures are listed
 * in test/waha/support/openapi.ts). test/waha/waha-types.spec.ts proves, with the TypeScript
 * compiler, that nothing here differs from the spec or from the generated types except
 * where a departure is declared.
 *
 * Also here: what the spec leaves undescribed (engines' own answers, WAHA's 422 body), and
 * the narrower shapes this service sends (WahaSessionCreateRequest, WahaWebhookConfig).
 */
import type * as Spec from './generated/types.gen.js';

/**
 * Every session status WAHA's spec lists (`SessionInfo.status`, `WASessionStatusBody.status`,
 * …), the passkey ones of WAHA 2026.7 included: what a webhook or an answer may carry.
 */
export type WahaSessionStatus = Spec.SessionInfo['status'];

/**
 * The statuses this service follows, as values (and the statuses n8n may report): all of
 * WAHA's, the passkey ones of WAHA 2026.7 included (GOWS links some phones by passkey: the
 * dashboard must tell the user to confirm on the phone, and show the code to compare).
 */
export const WahaSessionStatus = {
  STOPPED: 'STOPPED',
  STARTING: 'STARTING',
  SCAN_QR_CODE: 'SCAN_QR_CODE',
  PASSKEY_REQUIRED: 'PASSKEY_REQUIRED',
  PASSKEY_CONFIRMATION_REQUIRED: 'PASSKEY_CONFIRMATION_REQUIRED',
  WORKING: 'WORKING',
  FAILED: 'FAILED',
} as const satisfies Record<string, WahaSessionStatus>;
export type WahaFollowedSessionStatus = (typeof WahaSessionStatus)[keyof typeof WahaSessionStatus];

export type WahaEngine = Spec.WAHAWebhookSessionStatus['engine'];

/** WAHA ack values: ERROR -1, PENDING 0, SERVER 1, DEVICE 2, READ 3, PLAYED 4. */
export type WahaAck = Spec.WAMessage['ack'];
/** `ackName`: the spec says only `string`; these are the names WAHA gives the ack values. */
export type WahaAckName = 'ERROR' | 'PENDING' | 'SERVER' | 'DEVICE' | 'READ' | 'PLAYED';

export const WAHA_ACK_NAMES: Readonly<Record<WahaAck, WahaAckName>> = {
  [-1]: 'ERROR',
  0: 'PENDING',
  1: 'SERVER',
  2: 'DEVICE',
  3: 'READ',
  4: 'PLAYED',
};

/** Every webhook event name of the spec. */
export type WahaWebhookEventName = Spec.WAHAWebhookSessionStatus['event'];

/** Events this service needs from WAHA for every session. */
export const WAHA_WEBHOOK_EVENTS = [
  'session.status',
  'message',
  'message.any',
  'message.ack',
  'message.reaction',
  'message.edited',
  'message.revoked',
] as const satisfies readonly WahaWebhookEventName[];
/** Event names this service subscribes to (a subset of WAHA's). */
export type WahaEventName = (typeof WAHA_WEBHOOK_EVENTS)[number];

export type MeInfo = Spec.MeInfo;
export type HmacConfiguration = Spec.HmacConfiguration;
export type RetriesConfiguration = Spec.RetriesConfiguration;
export type CustomHeader = Spec.CustomHeader;

/** `WebhookConfig` */
export interface WebhookConfig extends Omit<Spec.WebhookConfig, 'events'> {
  /** Departure: the spec types the items as objects; WAHA takes event names (or `*`). */
  events: (WahaWebhookEventName | '*' | (string & {}))[];
}

/** `SessionConfig` */
export interface SessionConfig extends Omit<Spec.SessionConfig, 'metadata' | 'webhooks'> {
  /**
   * The spec allows any object; WAHA's docs and this service use string values, which WAHA
   * echoes in every webhook's `metadata`.
   */
  metadata?: Record<string, string>;
  /** WebhookConfig's departure, carried into every type that holds one. */
  webhooks?: WebhookConfig[];
}

/** `SessionCreateRequest` */
export interface SessionCreateRequest extends Omit<Spec.SessionCreateRequest, 'config'> {
  /** Departure: the spec says it defaults to true; WAHA's code defaults to false. Always send it. */
  start?: boolean;
  config?: SessionConfig;
}

/** `SessionUpdateRequest` */
export interface SessionUpdateRequest extends Omit<Spec.SessionUpdateRequest, 'config'> {
  config?: SessionConfig;
}

/** `SessionDTO`: the answer of create / update / start / stop / restart / logout. */
export interface SessionDTO extends Omit<Spec.SessionDTO, 'config'> {
  config?: SessionConfig;
}

/** `SessionInfo`: the answer of get and list. `me` is absent (or null) until the session is linked. */
export interface SessionInfo extends Omit<Spec.SessionInfo, 'config' | 'presence'> {
  config?: SessionConfig;
  /** The spec says an object; read tolerantly, WAHA may send null. */
  presence: Record<string, unknown> | null;
}

/** `QRCodeValue`: `GET /api/{session}/auth/qr?format=raw`. */
export type QRCodeValue = Spec.QRCodeValue;
/** `Base64File`: `GET /api/{session}/auth/qr?format=image` with `Accept: application/json`. */
export type Base64File = Spec.Base64File;
export type RequestCodeRequest = Spec.RequestCodeRequest;

/** The spec leaves the 201 body of `auth/request-code` undescribed; WAHA answers `{ code }`. */
export interface RequestCodeResponse {
  code: string;
}

export type MessageTextRequest = Spec.MessageTextRequest;
/** `ChatRequest`: startTyping / stopTyping. */
export type ChatRequest = Spec.ChatRequest;
export type SendSeenRequest = Spec.SendSeenRequest;

/** `WAMessage`; its `id` is `{fromMe}_{chatId}_{id}`, its `timestamp` Unix seconds. */
export interface WAMessage extends Omit<Spec.WAMessage, 'participant' | 'mediaUrl'> {
  /** Departure: the spec requires it; WAHA sends it only for group messages. */
  participant?: string;
  /** Departure: the spec requires it (and deprecates it); WAHA sends it only with media. */
  mediaUrl?: string;
}

/** `WAMessageAckBody` */
export interface WAMessageAckBody extends Omit<Spec.WAMessageAckBody, 'participant'> {
  /** Departure: the spec requires it; WAHA sends it only for group messages. */
  participant?: string;
}

/**
 * `sendText`'s 201 body is `WAMessage` in the spec, but WAHA answers with each engine's
 * own message object. These are the shapes the message id is read from.
 */
export interface WebjsSentMessage {
  id: { fromMe: boolean; remote: string; id: string; _serialized: string };
  [key: string]: unknown;
}
export interface NowebSentMessage {
  key: { remoteJid: string; fromMe: boolean; id: string };
  [key: string]: unknown;
}
export type SendTextResponse = WAMessage | WebjsSentMessage | NowebSentMessage;

export type WANumberExistResult = Spec.WANumberExistResult;

/** `ChatSummary`: an item of `GET /api/{session}/chats/overview`. */
export interface ChatSummary extends Omit<Spec.ChatSummary, 'lastMessage'> {
  /** The spec says an object; read tolerantly, a chat without messages may have null. */
  lastMessage: Record<string, unknown> | null;
}

/**
 * An item of `GET /api/{session}/chats`. The spec gives no schema: the body is the
 * engine's own chat object. WEBJS's `id` is an object with `_serialized`.
 */
export interface WahaChat {
  id: string | { _serialized: string };
  name?: string | null;
  [key: string]: unknown;
}

export type WorkerInfo = Spec.WorkerInfo;
/** `WAHAEnvironment`: `GET /api/server/version` and every webhook's `environment`. */
export type WAHAEnvironment = Spec.WAHAEnvironment;
export type ServerStatusResponse = Spec.ServerStatusResponse;
export type PingResponse = Spec.PingResponse;
export type SessionStatusPoint = Spec.SessionStatusPoint;
export type WASessionStatusBody = Spec.WASessionStatusBody;

/**
 * The envelope shared by every `WAHAWebhook*` schema: `id` (`evt_` + lower-case ULID),
 * `timestamp` (Unix milliseconds), `event`, `session`, `metadata`, `me` (absent, or null,
 * until the session is linked), `payload`, `engine`, `environment`.
 */
export interface WahaWebhookEnvelope<E extends string, P> extends Omit<
  Spec.WAHAWebhookSessionStatus,
  'event' | 'metadata' | 'payload'
> {
  /**
   * Departure: each `WAHAWebhook*` schema lists every event name (and types it `object`);
   * WAHA sends the one event the schema is for.
   */
  event: E;
  /** The session's `config.metadata`, echoed (string values, see SessionConfig). */
  metadata?: Record<string, string>;
  payload: P;
}

/** `WAHAWebhookSessionStatus` */
export type WAHAWebhookSessionStatus = WahaWebhookEnvelope<'session.status', WASessionStatusBody>;
/** `WAHAWebhookMessage` */
export type WAHAWebhookMessage = WahaWebhookEnvelope<'message', WAMessage>;
/** `WAHAWebhookMessageAny` */
export type WAHAWebhookMessageAny = WahaWebhookEnvelope<'message.any', WAMessage>;
/** `WAHAWebhookMessageAck` */
export type WAHAWebhookMessageAck = WahaWebhookEnvelope<'message.ack', WAMessageAckBody>;

export type WahaWebhook =
  WAHAWebhookSessionStatus | WAHAWebhookMessage | WAHAWebhookMessageAny | WAHAWebhookMessageAck;

/** WAHA's 422 body when a session is not in the status an operation needs (not in the spec). */
export interface WahaStatusError {
  error: string;
  session: string;
  status: WahaSessionStatus;
  expected: WahaSessionStatus[];
}

/** `WebhookConfig` as this service sets it on every session: every field given. */
export interface WahaWebhookConfig extends WebhookConfig {
  hmac: Required<HmacConfiguration>;
  retries: Required<RetriesConfiguration>;
  customHeaders: CustomHeader[];
}

/** `SessionCreateRequest` as this service sends it for every session. */
export interface WahaSessionCreateRequest extends SessionCreateRequest {
  name: string;
  /** WAHA's code defaults to false: a session created without it never starts. */
  start: true;
  config: SessionConfig & { metadata: Record<string, string>; webhooks: WahaWebhookConfig[] };
}
