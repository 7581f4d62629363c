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
import { SimEngine, type SimEngineName } from './sim-engine.js';
import { SimControlError } from './sim-errors.js';
import { apiKeyChecker, errorReply, readJson, type Reply, sleep } from './sim-http.js';
import { sessionState, type SimSessionState } from './sim-session.js';
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
  /** A message arrives from `from` (`<digits>@c.us`): emits `message` and `message.any`. */
  inbound(session: string, input: { from: string; body: string; pushName?: string; id?: string }): WAMessage;
  /** The recipient's phone acknowledges a message: emits `message.ack`. */
  ack(session: string, messageId: string, ack: WahaAck | string): WAMessageAckBody;
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
const ACK_BY_NAME: Record<string, WahaAck> = {
  ERROR: -1,
  PENDING: 0,
  SERVER: 1,
  DEVICE: 2,
  READ: 3,
  PLAYED: 4,
};

export async function startWahaSimulator(options: WahaSimulatorOptions = {}): Promise<WahaSimulator> {
  const engineName = options.engine ?? 'WEBJS';
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0)) throw new Error(`timeScale must be > 0, got ${String(timeScale)}`);
  const engine = new SimEngine({ engine: engineName, timeScale });
  const apiKeyCheck = apiKeyChecker(options.apiKey);
  const requestLog: SimRequestRecord[] = [];
  let faults: (SimFaults & { until?: number }) | null = null;

  const activeFault = (): SimFaults | null => {
    if (!faults) return null;
    if (faults.until !== undefined && Date.now() > faults.until) faults = null;
    else if (faults.count !== undefined && faults.count <= 0) faults = null;
    return faults;
  };

  const control = {
    link: (name: string, me?: Partial<MeInfo>) => {
      const session = controlSession(engine, name);
      engine.link(session, me);
      return sessionState(session);
    },
    inbound: (name: string, input: { from: string; body: string; pushName?: string; id?: string }) => {
      if (typeof input?.from !== 'string' || !/@(c\.us|g\.us|lid)$/.test(input.from)) {
        throw new SimControlError(400, 'inbound needs `from` as a chat id (<digits>@c.us)');
      }
      if (typeof input.body !== 'string') throw new SimControlError(400, 'inbound needs a string `body`');
      return engine.messaging.inbound(controlSession(engine, name), input);
    },
    ack: (name: string, messageId: string, ack: WahaAck | string) => {
      const value = typeof ack === 'string' ? ACK_BY_NAME[ack.toUpperCase()] : ack;
      if (value === undefined || ![-1, 0, 1, 2, 3, 4].includes(value)) {
        throw new SimControlError(400, 'ack must be -1..4 or ERROR|PENDING|SERVER|DEVICE|READ|PLAYED');
      }
      return engine.messaging.ack(controlSession(engine, name), messageId, value);
    },
    disconnect: (name: string, opts: { loggedOut?: boolean } = {}) => {
      const session = controlSession(engine, name);
      engine.disconnect(session, opts.loggedOut === true);
      return sessionState(session);
    },
    fail: (name: string, reason?: string) => {
      const session = controlSession(engine, name);
      engine.fail(session, reason ?? 'Simulated failure');
      return sessionState(session);
    },
    setFaults: (next: SimFaults) => {
      if (next.status5xx !== undefined && (next.status5xx < 500 || next.status5xx > 599)) {
        throw new SimControlError(400, 'status5xx must be 500..599');
      }
      faults = { ...next, ...(next.forMs !== undefined ? { until: Date.now() + next.forMs } : {}) };
    },
    clearFaults: () => {
      faults = null;
    },
    duplicateNextWebhooks: (count: number) => {
      if (!Number.isInteger(count) || count < 0)
        throw new SimControlError(400, 'count must be an integer >= 0');
      engine.duplicateNextWebhooks(count);
    },
    setNumberExists: (phone: string, exists: boolean) => engine.messaging.setNumberExists(phone, exists),
    session: (name: string) => (engine.has(name) ? sessionState(engine.get(name)) : undefined),
    reset: () => {
      engine.reset();
      faults = null;
      requestLog.length = 0;
    },
  };

  // The first route that matches answers: the order is WAHA's API as listed, then the control API
  // (`GET /api/sessions/chats` is the session named chats, not the chats of a session named sessions).
  const routes = [
    ...sessionRoutes(engine),
    ...chattingRoutes(engine),
    ...controlRoutes(engine, control, () => requestLog),
  ];

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 1_000;

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
    if (reply.png) {
      res.writeHead(reply.status, { 'content-type': 'image/png', 'content-length': reply.png.length });
      res.end(reply.png);
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
      contentType: reply.png ? 'image/png' : reply.json === undefined ? undefined : 'application/json',
      responseBody: reply.png ? { pngBytes: reply.png.length } : reply.json,
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

  return {
    url: `http://${host}:${address.port}`,
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

function controlSession(engine: SimEngine, name: string) {
  if (!engine.has(name)) throw new SimControlError(404, `no session ${name}`);
  return engine.get(name);
}
