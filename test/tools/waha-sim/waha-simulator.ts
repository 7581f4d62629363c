import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type {
  MeInfo,
  WahaAck,
  WahaSessionStatus,
  WAMessage,
  WAMessageAckBody,
} from '../../../src/waha/waha.types.js';
import { controlRoutes } from './control-routes.js';
import { phoneControls } from './sim-control.js';
import type { CreateGroupInput } from './sim-directory.js';
import type { SimInboundInput } from './sim-inbound.js';
import { reachoutError, reachoutRefused, type SimCapping, type SimTimelock } from './sim-limits.js';
import { DEFAULT_FILES_LIFETIME_MS } from './sim-media.js';
import type {
  ReactInput,
  WAMessageEditedBody,
  WAMessageReaction,
  WAMessageRevokedBody,
} from './sim-message-events.js';
import { directoryRoutes } from './waha-routes-directory.js';
import { mediaRoutes, type SimSentMedia } from './waha-routes-media.js';
import { SimEngine, type SimEngineName } from './sim-engine.js';
import { SimControlError } from './sim-errors.js';
import { apiKeyChecker, errorReply, readJson, type Reply, sleep } from './sim-http.js';
import type { SimGroup, SimSessionState } from './sim-session.js';
import type { WebhookDelivery } from './webhook-dispatcher.js';
import { chattingRoutes } from './waha-routes-chatting.js';
import { sessionRoutes } from './waha-routes-sessions.js';

export interface WahaSimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** WAHA's `WAHA_API_KEY`: plain, or `sha512:<hex>` as WAHA accepts. Unset = no key checked. */
  apiKey?: string;
  /** Multiplies every WAHA duration (QR lifetimes, STARTING, webhook retry delays). Default 1. */
  timeScale?: number;
  engine?: SimEngineName;
  /**
   * WAHA's WHATSAPP_FILES_LIFETIME in ms (default 180 000), scaled by the time scale like WAHA's
   * other durations; 0 keeps files for ever, as WAHA does.
   */
  filesLifetimeMs?: number;
}

export interface SimFaults {
  /** Delay every WAHA answer by this many milliseconds. */
  slowMs?: number;
  /** Answer every WAHA call with this 5xx status. */
  status5xx?: number;
  /** For this long (real milliseconds)… */
  forMs?: number;
  /** …or for this many WAHA calls. Neither: until cleared. */
  count?: number;
  /**
   * Only calls of this operation (the spec's key, e.g. `POST /api/sessions`); other calls pass
   * and do not count. Lets a test fail one exact step while work of earlier steps still runs.
   */
  operation?: string;
}

/** One WAHA call as the simulator saw it (the conformance test reads these). */
export interface SimRequestRecord {
  /** The spec's operation key, e.g. `GET /api/{session}/auth/qr`; null when no route matched. */
  operation: string | null;
  method: string;
  path: string;
  query: Record<string, string[]>;
  accept: string | undefined;
  requestBody: unknown;
  status: number;
  contentType: string | undefined;
  responseBody: unknown;
}

export interface WahaSimulator {
  readonly url: string;
  readonly port: number;
  readonly engine: SimEngineName;
  readonly timeScale: number;
  close(): Promise<void>;
  /** The phone scanned the QR / entered the code: SCAN_QR_CODE → WORKING with `me`. */
  link(session: string, me?: Partial<MeInfo>): SimSessionState;
  /**
   * The phone scanned the QR and WhatsApp asks for its passkey (GOWS, WAHA 2026.7):
   * SCAN_QR_CODE → PASSKEY_REQUIRED (`payload.data`: the WebAuthn challenge). Then passkeyApprove
   * (or WAHA's POST /api/{session}/auth/passkey): → PASSKEY_CONFIRMATION_REQUIRED with
   * `{code}` unless `confirmWithCode: false`, which links at once.
   */
  linkWithPasskey(
    session: string,
    options?: { me?: Partial<MeInfo>; confirmWithCode?: boolean },
  ): SimSessionState;
  /** The passkey assertion went through: the code to compare, or WORKING. */
  passkeyApprove(session: string): SimSessionState;
  /** The user confirmed the code: PASSKEY_CONFIRMATION_REQUIRED → WORKING with `me`. */
  passkeyConfirm(session: string): SimSessionState;
  /**
   * WhatsApp changed the account's message capping: on `me.messageCapping`, and (WORKING) a
   * re-issued `session.status` WORKING with `payload.data.messageCapping`. Unset fields get
   * WAHA's values for an uncapped account (totalQuota -1, a cycle of 7 days from now).
   */
  setCapping(session: string, capping: Partial<SimCapping> | null): SimSessionState;
  /**
   * The reach-out timelock changed (default: active for 24 hours): as setCapping, on
   * `me.reachoutTimelock`. While active, a send to a contact that never wrote answers 500
   * "server returned error 463".
   */
  setTimelock(session: string, timelock: Partial<SimTimelock> | null): SimSessionState;
  /**
   * A message arrives from `from` (needs WORKING): text, media, a location or contact cards, maybe
   * a reply, from a person (`@c.us`, `@lid` with `pn`) or a group author; emits `message` and
   * `message.any`.
   */
  inbound(session: string, input: SimInboundInput): WAMessage;
  /** The recipient's phone acknowledges a message: emits `message.ack`. */
  ack(session: string, messageId: string, ack: WahaAck | string): WAMessageAckBody;
  /** Someone (default: the chat's person) reacts to a message; '' removes it: `message.reaction`. */
  react(session: string, input: ReactInput): WAMessageReaction;
  /** The author edits a message: `message.edited`. */
  edit(session: string, input: { messageId: string; body: string }): WAMessageEditedBody;
  /** The author deletes a message for everyone: `message.revoked`. */
  revoke(session: string, input: { messageId: string }): WAMessageRevokedBody;
  /** WHATSAPP_FILES_LIFETIME passes for a message's file now: its URL answers 404. */
  expireMedia(session: string, messageId: string): { expired: number };
  /** A group the account is in (the account joins as a participant unless listed). */
  createGroup(session: string, input: CreateGroupInput): SimGroup;
  /** The account learns a LID's phone number. */
  setLid(session: string, lid: string, pn: string): { lid: string; pn: string };
  /** What each sendImage / sendFile / sendVoice / sendVideo gave WAHA (fetched or decoded), oldest first. */
  sentMedia(): readonly SimSentMedia[];
  /** WORKING → STARTING → WORKING; with `loggedOut` the device is removed: → SCAN_QR_CODE. */
  disconnect(session: string, options?: { loggedOut?: boolean }): SimSessionState;
  fail(session: string, reason?: string): SimSessionState;
  setFaults(faults: SimFaults): void;
  clearFaults(): void;
  duplicateNextWebhooks(count: number): void;
  setNumberExists(phone: string, exists: boolean): void;
  session(name: string): SimSessionState | undefined;
  /** Resolves when the session reaches the status (event-driven, no polling). */
  waitForStatus(name: string, status: WahaSessionStatus, timeoutMs?: number): Promise<SimSessionState>;
  webhookDeliveries(): readonly WebhookDelivery[];
  requests(): readonly SimRequestRecord[];
  reset(): void;
}

const REQUEST_LOG_LIMIT = 300;
/** WAHA's sends of a message to a chat: what the reach-out timelock refuses. */
const SENDS = new Set(
  ['sendText', 'sendImage', 'sendFile', 'sendVoice', 'sendVideo', 'sendLocation', 'sendContactVcard'].map(
    (op) => `POST /api/${op}`,
  ),
);

export async function startWahaSimulator(options: WahaSimulatorOptions = {}): Promise<WahaSimulator> {
  const engineName = options.engine ?? 'WEBJS';
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be > 0, got ${String(timeScale)}`);
  const filesLifetimeMs = options.filesLifetimeMs ?? DEFAULT_FILES_LIFETIME_MS;
  if (!(filesLifetimeMs >= 0))
    throw new Error(`filesLifetimeMs must be >= 0, got ${String(filesLifetimeMs)}`);
  const engine = new SimEngine({ engine: engineName, timeScale, filesLifetimeMs });
  const apiKeyCheck = apiKeyChecker(options.apiKey);
  const requestLog: SimRequestRecord[] = [];
  let faults: (SimFaults & { until?: number }) | null = null;

  const activeFault = (): SimFaults | null => {
    if (!faults) return null;
    if (faults.until !== undefined && Date.now() > faults.until) faults = null;
    else if (faults.count !== undefined && faults.count <= 0) faults = null;
    return faults;
  };

  const sentMedia: SimSentMedia[] = [];
  const control = {
    ...phoneControls(engine),
    setFaults: (next: SimFaults) => {
      if (next.status5xx !== undefined && (next.status5xx < 500 || next.status5xx > 599)) {
        throw new SimControlError(400, 'status5xx must be 500..599');
      }
      faults = { ...next, ...(next.forMs !== undefined ? { until: Date.now() + next.forMs } : {}) };
    },
    clearFaults: () => {
      faults = null;
    },
    sentMedia: (): readonly SimSentMedia[] => sentMedia,
    reset: () => {
      engine.reset();
      faults = null;
      requestLog.length = 0;
      sentMedia.length = 0;
    },
  };

  // The first route that matches answers: the order is WAHA's API as listed, then the control API
  // (`GET /api/sessions/chats` is the session named chats, not the chats of a session named sessions).
  const routes = [
    ...mediaRoutes(engine, sentMedia),
    ...sessionRoutes(engine),
    ...chattingRoutes(engine),
    ...directoryRoutes(engine),
    ...controlRoutes(engine, control, () => requestLog),
  ];

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 1_000;

  /** A send WhatsApp refuses under the reach-out timelock: a first message to a new contact. */
  function refusesReachout(operation: string, body: unknown): boolean {
    if (!SENDS.has(operation)) return false;
    const { session, chatId } = (body ?? {}) as { session?: unknown; chatId?: unknown };
    if (typeof session !== 'string' || typeof chatId !== 'string' || !engine.has(session)) return false;
    const s = engine.get(session);
    return s.status === 'WORKING' && reachoutRefused(s, chatId);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const isControl = url.pathname.startsWith('/__sim/');
    const route = routes.find((r) => r.method === method && r.pattern.test(url.pathname));
    let reply: Reply;
    let body: unknown;
    try {
      const active = isControl ? null : activeFault();
      const fault = active && (!active.operation || active.operation === route?.operation) ? active : null;
      if (fault) {
        if (fault.count !== undefined) fault.count--;
        if (fault.slowMs) await sleep(fault.slowMs);
      }
      body = await readJson(req);
      if (fault?.status5xx) {
        reply = {
          status: fault.status5xx,
          json: {
            statusCode: fault.status5xx,
            message: 'Simulated WAHA failure',
            error: 'Internal Server Error',
          },
        };
      } else if (!route) {
        reply = {
          status: 404,
          json: { message: `Cannot ${method} ${url.pathname}`, error: 'Not Found', statusCode: 404 },
        };
      } else if (route.auth && !apiKeyCheck(req.headers['x-api-key'], url.searchParams.get('x-api-key'))) {
        reply = { status: 401, json: { message: 'Unauthorized', statusCode: 401 } };
      } else if (refusesReachout(route.operation, body)) {
        reply = { status: 500, json: reachoutError(url.pathname) };
      } else {
        const params = (route.pattern.exec(url.pathname) ?? []).slice(1).map((p) => decodeURIComponent(p));
        reply = await route.handler({
          method,
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
          params,
        });
      }
    } catch (error) {
      reply = errorReply(error);
    }
    if (!isControl) record(route?.operation ?? null, method, url, req, body, reply);
    if (res.destroyed) return;
    const binary = reply.png ? { bytes: reply.png, contentType: 'image/png' } : reply.file;
    if (binary) {
      res.writeHead(reply.status, {
        'content-type': binary.contentType,
        'content-length': binary.bytes.length,
      });
      res.end(binary.bytes);
    } else if (reply.json === undefined) {
      res.writeHead(reply.status, { 'content-length': 0 });
      res.end();
    } else {
      const text = JSON.stringify(reply.json);
      res.writeHead(reply.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    }
  }

  function record(
    operation: string | null,
    method: string,
    url: URL,
    req: IncomingMessage,
    body: unknown,
    reply: Reply,
  ) {
    const query: Record<string, string[]> = {};
    for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key);
    requestLog.push({
      operation,
      method,
      path: url.pathname,
      query,
      accept: req.headers.accept,
      requestBody: body,
      status: reply.status,
      contentType: reply.png
        ? 'image/png'
        : reply.file
          ? reply.file.contentType
          : reply.json === undefined
            ? undefined
            : 'application/json',
      responseBody: reply.png
        ? { pngBytes: reply.png.length }
        : reply.file
          ? { bytes: reply.file.bytes.length }
          : reply.json,
    });
    if (requestLog.length > REQUEST_LOG_LIMIT) requestLog.splice(0, requestLog.length - REQUEST_LOG_LIMIT);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  engine.baseUrl = `http://${host}:${address.port}`;

  return {
    url: engine.baseUrl,
    port: address.port,
    engine: engineName,
    timeScale,
    ...control,
    async waitForStatus(name, status, timeoutMs = 10_000) {
      const ok = await engine.waitForStatus(name, [status], timeoutMs);
      const state = control.session(name);
      if (!ok || !state) {
        throw new Error(
          `session ${name} did not reach ${status} within ${timeoutMs} ms (is ${state?.status})`,
        );
      }
      return state;
    },
    webhookDeliveries: () => engine.dispatcher.deliveries(),
    requests: () => requestLog,
    async close() {
      await engine.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
