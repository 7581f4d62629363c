/**
 * WAHA DTOs, written by hand from WAHA's own OpenAPI spec (`../shared/waha/openapi.json`,
 * WAHA 2026.7.1). Each interface carries the name of its `components.schemas` entry and
 * test/waha/waha-types.spec.ts proves, with the TypeScript compiler, that every property
 * exists in that schema with the same type and the same required-ness.
 *
 * Hand-written rather than generated: openapi-typescript 7 rejects this spec (the
 * `event` property of every `WAHAWebhook*` is declared `type: object` with a string enum).
 *
 * Only the properties this product uses are listed; optional spec properties may be left
 * out. Where WAHA itself departs from its spec, the type follows WAHA and says so; the
 * same departures are listed in test/waha/support/openapi.ts.
 */

/** `WASessionStatusBody.status` / `SessionInfo.status`. */
export type WahaSessionStatus =
  | 'STOPPED'
  | 'STARTING'
  | 'SCAN_QR_CODE'
  | 'PASSKEY_REQUIRED'
  | 'PASSKEY_CONFIRMATION_REQUIRED'
  | 'WORKING'
  | 'FAILED';

export type WahaEngine = 'WEBJS' | 'WPP' | 'NOWEB' | 'GOWS';

/** WAHA ack values: ERROR -1, PENDING 0, SERVER 1, DEVICE 2, READ 3, PLAYED 4. */
export type WahaAck = -1 | 0 | 1 | 2 | 3 | 4;
export type WahaAckName = 'ERROR' | 'PENDING' | 'SERVER' | 'DEVICE' | 'READ' | 'PLAYED';

export const WAHA_ACK_NAMES: Readonly<Record<WahaAck, WahaAckName>> = {
  [-1]: 'ERROR',
  0: 'PENDING',
  1: 'SERVER',
  2: 'DEVICE',
  3: 'READ',
  4: 'PLAYED',
};

/** Event names this product subscribes to (a subset of WAHA's). */
export type WahaEventName = 'session.status' | 'message' | 'message.any' | 'message.ack';

/** `MeInfo` */
export interface MeInfo {
  id: string;
  lid?: string;
  jid?: string;
  pushName: string;
}

/** `HmacConfiguration` */
export interface HmacConfiguration {
  key?: string;
}

/** `RetriesConfiguration` */
export interface RetriesConfiguration {
  delaySeconds?: number;
  attempts?: number;
  policy?: 'linear' | 'exponential' | 'constant';
}

/** `CustomHeader` */
export interface CustomHeader {
  name: string;
  value: string;
}

/** `WebhookConfig` (the spec types `events` items as objects; WAHA takes event names). */
export interface WebhookConfig {
  url: string;
  events: (WahaEventName | '*' | (string & {}))[];
  hmac?: HmacConfiguration;
  retries?: RetriesConfiguration;
  customHeaders?: CustomHeader[];
}

/** `SessionConfig` (engine-specific blocks left out). */
export interface SessionConfig {
  metadata?: Record<string, string>;
  debug?: boolean;
  webhooks?: WebhookConfig[];
}

/** `SessionCreateRequest` */
export interface SessionCreateRequest {
  name?: string;
  /**
   * The spec says it defaults to true; WAHA's code defaults to false. Always send it.
   */
  start?: boolean;
  config?: SessionConfig;
}

/** `SessionUpdateRequest` */
export interface SessionUpdateRequest {
  config?: SessionConfig;
}

/** `SessionDTO`: the answer of create / update / start / stop / restart / logout. */
export interface SessionDTO {
  name: string;
  status: WahaSessionStatus;
  config?: SessionConfig;
}

/** `SessionInfo`: the answer of get and list. */
export interface SessionInfo {
  name: string;
  status: WahaSessionStatus;
  config?: SessionConfig;
  /** Absent (WAHA may also send null) until the session is linked. */
  me?: MeInfo;
  assignedWorker?: string;
  presence: Record<string, unknown> | null;
  timestamps: { activity: number | null };
}

/** `QRCodeValue`: `GET /api/{session}/auth/qr?format=raw`. */
export interface QRCodeValue {
  value: string;
}

/** `Base64File`: `GET /api/{session}/auth/qr?format=image` with `Accept: application/json`. */
export interface Base64File {
  mimetype: string;
  data: string;
}

/** `RequestCodeRequest` */
export interface RequestCodeRequest {
  phoneNumber: string;
  method?: string;
}

/** The spec leaves the 201 body of `auth/request-code` undescribed; WAHA answers `{ code }`. */
export interface RequestCodeResponse {
  code: string;
}

/** `MessageTextRequest` */
export interface MessageTextRequest {
  session: string;
  chatId: string;
  text: string;
  reply_to?: string;
  linkPreview?: boolean;
}

/** `ChatRequest`: startTyping / stopTyping. */
export interface ChatRequest {
  session: string;
  chatId: string;
}

/** `SendSeenRequest` */
export interface SendSeenRequest {
  session: string;
  chatId: string;
  messageIds?: string[];
  participant?: string;
}

/** `WAMessage` */
export interface WAMessage {
  /** `{fromMe}_{chatId}_{id}`, e.g. `false_11111111111@c.us_AAAAAAAAAAAAAAAAAAAA`. */
  id: string;
  /** Unix seconds. */
  timestamp: number;
  from: string;
  fromMe: boolean;
  source: 'api' | 'app';
  to: string;
  /** Spec: required. WAHA sends it only for group messages. */
  participant?: string;
  body: string;
  hasMedia: boolean;
  /** Spec: required and deprecated. WAHA sends it only with media. */
  mediaUrl?: string;
  ack: WahaAck;
  ackName: string;
  author?: string;
  vCards?: string[];
  _data?: Record<string, unknown>;
}

/** `WAMessageAckBody` */
export interface WAMessageAckBody {
  id: string;
  from: string;
  to: string;
  /** Spec: required. WAHA sends it only for group messages. */
  participant?: string;
  fromMe: boolean;
  ack: WahaAck;
  ackName: string;
  _data?: Record<string, unknown>;
}

/**
 * `sendText`'s 201 body is `WAMessage` in the spec, but WAHA answers with each engine's
 * own message object. These are the shapes the client reads the message id from.
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

/** `WANumberExistResult` */
export interface WANumberExistResult {
  numberExists: boolean;
  chatId?: string;
}

/** `ChatSummary`: an item of `GET /api/{session}/chats/overview`. */
export interface ChatSummary {
  id: string;
  name: string | null;
  picture: string | null;
  lastMessage: Record<string, unknown> | null;
  _chat: Record<string, unknown>;
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

/** `WorkerInfo` */
export interface WorkerInfo {
  id: string;
}

/** `WAHAEnvironment`: `GET /api/server/version` and every webhook's `environment`. */
export interface WAHAEnvironment {
  version: string;
  engine: string;
  tier: string;
  browser: string;
  platform: string;
  worker: { id: string | null };
}

/** `ServerStatusResponse` */
export interface ServerStatusResponse {
  startTimestamp: number;
  uptime: number;
  worker: WorkerInfo;
}

/** `PingResponse` */
export interface PingResponse {
  message: string;
}

/** `SessionStatusPoint` */
export interface SessionStatusPoint {
  status: WahaSessionStatus;
  timestamp: number;
}

/** `WASessionStatusBody` */
export interface WASessionStatusBody {
  name: string;
  status: WahaSessionStatus;
  statuses: SessionStatusPoint[];
  data?: Record<string, unknown> | null;
}

/** The envelope shared by every `WAHAWebhook*` schema. */
export interface WahaWebhookEnvelope<E extends string, P> {
  /** `evt_` + lower-case ULID. */
  id: string;
  /** Unix milliseconds. */
  timestamp: number;
  event: E;
  session: string;
  metadata?: Record<string, string>;
  /** Absent (WAHA may also send null) until the session is linked. */
  me?: MeInfo;
  payload: P;
  engine: WahaEngine;
  environment: WAHAEnvironment;
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

/** WAHA's 422 body when a session is not in the status an operation needs. */
export interface WahaStatusError {
  error: string;
  session: string;
  status: WahaSessionStatus;
  expected: WahaSessionStatus[];
}
