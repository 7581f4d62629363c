import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import QRCode from 'qrcode';
import { ulid } from 'ulid';

import type {
  MeInfo,
  SessionConfig,
  WahaAck,
  WahaSessionStatus,
  WAMessage,
  WAMessageAckBody,
} from '../../../src/waha/waha.types.js';
import {
  messageSeq,
  SimControlError,
  SimEngine,
  WahaHttpError,
  type SimEngineName,
  type SimSessionState,
} from './sim-engine.js';
import type { WebhookDelivery } from './webhook-dispatcher.js';

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

const SESSION_NAME = /^[a-zA-Z0-9_-]{1,54}$/;
const REQUEST_LOG_LIMIT = 300;
const ACK_BY_NAME: Record<string, WahaAck> = {
  ERROR: -1,
  PENDING: 0,
  SERVER: 1,
  DEVICE: 2,
  READ: 3,
  PLAYED: 4,
};

interface Reply {
  status: number;
  json?: unknown;
  png?: Buffer;
}

interface Ctx {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  params: string[];
}

type Handler = (ctx: Ctx) => Promise<Reply> | Reply;

interface Route {
  method: string;
  pattern: RegExp;
  operation: string;
  handler: Handler;
  auth: boolean;
}

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
      return engine.state(session);
    },
    inbound: (name: string, input: { from: string; body: string; pushName?: string; id?: string }) => {
      if (typeof input?.from !== 'string' || !/@(c\.us|g\.us|lid)$/.test(input.from)) {
        throw new SimControlError(400, 'inbound needs `from` as a chat id (<digits>@c.us)');
      }
      if (typeof input.body !== 'string') throw new SimControlError(400, 'inbound needs a string `body`');
      return engine.inbound(controlSession(engine, name), input);
    },
    ack: (name: string, messageId: string, ack: WahaAck | string) => {
      const value = typeof ack === 'string' ? ACK_BY_NAME[ack.toUpperCase()] : ack;
      if (value === undefined || ![-1, 0, 1, 2, 3, 4].includes(value)) {
        throw new SimControlError(400, 'ack must be -1..4 or ERROR|PENDING|SERVER|DEVICE|READ|PLAYED');
      }
      return engine.ack(controlSession(engine, name), messageId, value);
    },
    disconnect: (name: string, opts: { loggedOut?: boolean } = {}) => {
      const session = controlSession(engine, name);
      engine.disconnect(session, opts.loggedOut === true);
      return engine.state(session);
    },
    fail: (name: string, reason?: string) => {
      const session = controlSession(engine, name);
      engine.fail(session, reason ?? 'Simulated failure');
      return engine.state(session);
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
    setNumberExists: (phone: string, exists: boolean) => engine.setNumberExists(phone, exists),
    session: (name: string) => (engine.has(name) ? engine.state(engine.get(name)) : undefined),
    reset: () => {
      engine.reset();
      faults = null;
      requestLog.length = 0;
    },
  };

  const routes = wahaRoutes(engine).concat(controlRoutes(engine, control, () => requestLog));

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

// ---------------------------------------------------------------- WAHA's API

function wahaRoutes(engine: SimEngine): Route[] {
  const r = (method: string, path: string, handler: Handler, auth = true): Route => ({
    method,
    operation: `${method} ${path}`,
    pattern: new RegExp('^' + path.replace(/\{(session|chatId)\}/g, '([^/]+)').replace(/\./g, '\\.') + '/?$'),
    handler,
    auth,
  });
  const json = (status: number, body: unknown): Reply => ({ status, json: body });
  const first = (ctx: Ctx) => ctx.params[0] as string;

  return [
    r('GET', '/ping', () => json(200, { message: 'pong' }), false),
    r('GET', '/api/server/version', () => json(200, engine.environment)),
    r('GET', '/api/server/status', () =>
      json(200, {
        startTimestamp: engine.startedAt,
        uptime: Date.now() - engine.startedAt,
        worker: { id: 'waha-sim' },
      }),
    ),

    r('GET', '/api/sessions', (ctx) =>
      json(
        200,
        engine.list(ctx.query.get('all') === 'true').map((s) => engine.info(s)),
      ),
    ),
    r('POST', '/api/sessions', (ctx) => {
      const body = asObject(ctx.body);
      const name = body.name === undefined ? `session_${ulid().toLowerCase()}` : body.name;
      const errors: string[] = [];
      if (typeof name !== 'string' || !SESSION_NAME.test(name)) {
        errors.push('name must be 1-54 characters of a-z, A-Z, 0-9, _ or -');
      }
      if (body.start !== undefined && typeof body.start !== 'boolean')
        errors.push('start must be a boolean value');
      errors.push(...configErrors(body.config));
      if (errors.length) throw WahaHttpError.badRequest(errors);
      // WAHA's code: `request.start || false` — the spec's "default: true" is not what runs.
      const session = engine.create(
        name as string,
        body.config as SessionConfig | undefined,
        body.start === true,
      );
      return json(201, engine.dto(session));
    }),
    r('GET', '/api/sessions/{session}', (ctx) => json(200, engine.info(engine.get(first(ctx))))),
    r('PUT', '/api/sessions/{session}', (ctx) => {
      const session = engine.get(first(ctx));
      const body = asObject(ctx.body);
      const errors = configErrors(body.config);
      if (errors.length) throw WahaHttpError.badRequest(errors);
      engine.update(session, body.config as SessionConfig | undefined);
      return json(200, engine.dto(session));
    }),
    r('DELETE', '/api/sessions/{session}', (ctx) => {
      engine.delete(first(ctx));
      return { status: 200 };
    }),
    r('GET', '/api/sessions/{session}/me', (ctx) => {
      const session = engine.get(first(ctx));
      return session.me ? json(200, session.me) : { status: 200 };
    }),
    ...(['start', 'stop', 'restart', 'logout'] as const).map((action) =>
      r('POST', `/api/sessions/{session}/${action}`, (ctx) => {
        const session = engine.get(first(ctx));
        engine[action](session);
        return json(201, engine.dto(session));
      }),
    ),

    r('GET', '/api/{session}/auth/qr', async (ctx) => {
      const format = ctx.query.get('format') ?? 'image';
      if (format !== 'image' && format !== 'raw')
        throw WahaHttpError.badRequest(['format must be one of: image, raw']);
      const session = await engine.requireStatus(first(ctx), ['SCAN_QR_CODE']);
      const qr = session.qr as NonNullable<typeof session.qr>;
      if (format === 'raw') return json(200, { value: qr.value });
      const png = await QRCode.toBuffer(qr.value, { type: 'png', margin: 1, width: 264 });
      // WAHA's BufferResponseInterceptor: JSON only for an Accept of exactly application/json.
      if (ctx.headers.accept === 'application/json') {
        return json(200, { mimetype: 'image/png', data: png.toString('base64') });
      }
      return { status: 200, png };
    }),
    r('POST', '/api/{session}/auth/request-code', async (ctx) => {
      const body = asObject(ctx.body);
      if (typeof body.phoneNumber !== 'string')
        throw WahaHttpError.badRequest(['phoneNumber must be a string']);
      const session = await engine.requireStatus(first(ctx), ['SCAN_QR_CODE']);
      return json(201, { code: engine.requestCode(session, body.phoneNumber) });
    }),

    r('POST', '/api/sendText', async (ctx) => {
      const body = requireStrings(ctx.body, ['session', 'chatId', 'text']);
      const session = await engine.requireStatus(body.session, ['WORKING']);
      const replyTo = typeof body.reply_to === 'string' ? body.reply_to : undefined;
      return json(201, engine.sendText(session, body.chatId, body.text, replyTo).raw);
    }),
    r('POST', '/api/sendSeen', async (ctx) => {
      const body = requireStrings(ctx.body, ['session', 'chatId']);
      const session = await engine.requireStatus(body.session, ['WORKING']);
      engine.markSeen(session, body.chatId);
      return json(201, {});
    }),
    ...(['startTyping', 'stopTyping'] as const).map((op) =>
      r('POST', `/api/${op}`, async (ctx) => {
        const body = requireStrings(ctx.body, ['session', 'chatId']);
        const session = await engine.requireStatus(body.session, ['WORKING']);
        engine.setTyping(session, body.chatId, op === 'startTyping');
        return { status: 201 };
      }),
    ),
    r('GET', '/api/contacts/check-exists', async (ctx) => {
      const phone = ctx.query.get('phone');
      const name = ctx.query.get('session');
      if (!phone || !name)
        throw WahaHttpError.badRequest(['phone should not be empty', 'session should not be empty']);
      await engine.requireStatus(name, ['WORKING']);
      const digits = phone.replace(/\D/g, '');
      return json(
        200,
        engine.numberExists(digits)
          ? { numberExists: true, chatId: `${digits}@c.us` }
          : { numberExists: false },
      );
    }),

    r('GET', '/api/{session}/chats', async (ctx) => {
      const session = await engine.requireStatus(first(ctx), ['WORKING']);
      const order = ctx.query.get('sortOrder') === 'asc' ? 'asc' : 'desc';
      return json(200, page(engine.chats(session, order), ctx.query, undefined));
    }),
    r('GET', '/api/{session}/chats/overview', async (ctx) => {
      const session = await engine.requireStatus(first(ctx), ['WORKING']);
      const ids = ctx.query.getAll('ids');
      return json(200, page(engine.overview(session, ids.length ? ids : null), ctx.query, 20));
    }),
    r('GET', '/api/{session}/chats/{chatId}/messages', async (ctx) => {
      const session = await engine.requireStatus(first(ctx), ['WORKING']);
      const q = ctx.query;
      let messages = engine.messages(session, ctx.params[1] as string);
      const fromMe = q.get('filter.fromMe');
      if (fromMe !== null) messages = messages.filter((m) => String(m.fromMe) === fromMe);
      const ack = q.get('filter.ack');
      if (ack !== null) messages = messages.filter((m) => m.ackName === ack);
      const gte = q.get('filter.timestamp.gte');
      if (gte !== null) messages = messages.filter((m) => m.timestamp >= Number(gte));
      const lte = q.get('filter.timestamp.lte');
      if (lte !== null) messages = messages.filter((m) => m.timestamp <= Number(lte));
      const asc = q.get('sortOrder') === 'asc';
      messages.sort((a, b) => (messageSeq(a) - messageSeq(b)) * (asc ? 1 : -1));
      return json(200, page(messages, q, 10));
    }),
  ];
}

// ---------------------------------------------------------------- control API

type Control = Pick<
  WahaSimulator,
  | 'link'
  | 'inbound'
  | 'ack'
  | 'disconnect'
  | 'fail'
  | 'setFaults'
  | 'clearFaults'
  | 'duplicateNextWebhooks'
  | 'setNumberExists'
  | 'session'
  | 'reset'
>;

function controlRoutes(engine: SimEngine, control: Control, requests: () => SimRequestRecord[]): Route[] {
  const r = (method: string, path: string, handler: Handler): Route => ({
    method,
    operation: `${method} ${path}`,
    pattern: new RegExp('^' + path.replace(/:[a-zA-Z]+/g, '([^/]+)') + '/?$'),
    handler,
    auth: false,
  });
  const ok = (body: unknown, status = 200): Reply => ({ status, json: body });
  const p = (ctx: Ctx, i: number) => ctx.params[i] as string;

  return [
    r('GET', '/__sim/sessions/:name', (ctx) => {
      const state = control.session(p(ctx, 0));
      if (!state) throw new SimControlError(404, `no session ${p(ctx, 0)}`);
      return ok(state);
    }),
    r('POST', '/__sim/sessions/:name/link', (ctx) => {
      const me = asObject(ctx.body).me;
      return ok(control.link(p(ctx, 0), me === undefined ? undefined : (asObject(me) as Partial<MeInfo>)));
    }),
    r('POST', '/__sim/sessions/:name/inbound', (ctx) =>
      ok(control.inbound(p(ctx, 0), asObject(ctx.body) as { from: string; body: string }), 201),
    ),
    r('POST', '/__sim/sessions/:name/messages/:id/ack', (ctx) =>
      ok(control.ack(p(ctx, 0), p(ctx, 1), asObject(ctx.body).ack as WahaAck | string)),
    ),
    r('POST', '/__sim/sessions/:name/disconnect', (ctx) =>
      ok(control.disconnect(p(ctx, 0), { loggedOut: asObject(ctx.body).loggedOut === true })),
    ),
    r('POST', '/__sim/sessions/:name/fail', (ctx) => {
      const reason = asObject(ctx.body).reason;
      return ok(control.fail(p(ctx, 0), typeof reason === 'string' ? reason : undefined));
    }),
    r('POST', '/__sim/faults', (ctx) => {
      control.setFaults(asObject(ctx.body) as SimFaults);
      return ok({ ok: true });
    }),
    r('DELETE', '/__sim/faults', () => {
      control.clearFaults();
      return ok({ ok: true });
    }),
    r('POST', '/__sim/webhooks/duplicate-next', (ctx) => {
      const count = asObject(ctx.body).count ?? 1;
      control.duplicateNextWebhooks(count as number);
      return ok({ ok: true });
    }),
    r('GET', '/__sim/webhooks', () => ok(engine.dispatcher.deliveries())),
    r('POST', '/__sim/numbers/:phone', (ctx) => {
      control.setNumberExists(p(ctx, 0), asObject(ctx.body).exists !== false);
      return ok({ ok: true });
    }),
    r('GET', '/__sim/requests', () => ok(requests())),
    r('POST', '/__sim/reset', () => {
      control.reset();
      return ok({ ok: true });
    }),
  ];
}

// ---------------------------------------------------------------- helpers

function controlSession(engine: SimEngine, name: string) {
  if (!engine.has(name)) throw new SimControlError(404, `no session ${name}`);
  return engine.get(name);
}

function errorReply(error: unknown): Reply {
  if (error instanceof WahaHttpError) return { status: error.status, json: error.body };
  if (error instanceof SimControlError) return { status: error.status, json: { error: error.message } };
  if (error instanceof SyntaxError) {
    return { status: 400, json: { message: error.message, error: 'Bad Request', statusCode: 400 } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, json: { statusCode: 500, timestamp: new Date().toISOString(), error: message } };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length ? (JSON.parse(text) as unknown) : undefined;
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function requireStrings<K extends string>(
  body: unknown,
  keys: K[],
): Record<K, string> & Record<string, unknown> {
  const object = asObject(body);
  const errors = keys.filter((k) => typeof object[k] !== 'string').map((k) => `${k} must be a string`);
  if (errors.length) throw WahaHttpError.badRequest(errors);
  return object as Record<K, string> & Record<string, unknown>;
}

function configErrors(config: unknown): string[] {
  if (config === undefined) return [];
  const hooks = asObject(config).webhooks;
  if (hooks === undefined) return [];
  if (!Array.isArray(hooks)) return ['config.webhooks must be an array'];
  const errors: string[] = [];
  hooks.forEach((hook, i) => {
    const h = asObject(hook);
    if (typeof h.url !== 'string') errors.push(`config.webhooks.${i}.url must be a string`);
    if (!Array.isArray(h.events)) errors.push(`config.webhooks.${i}.events must be an array`);
    const policy = asObject(h.retries).policy;
    if (policy !== undefined && !['linear', 'exponential', 'constant'].includes(policy as string)) {
      errors.push(`config.webhooks.${i}.retries.policy must be one of: linear, exponential, constant`);
    }
  });
  return errors;
}

function page<T>(items: T[], query: URLSearchParams, defaultLimit: number | undefined): T[] {
  const offset = Number(query.get('offset') ?? 0) || 0;
  const limitParam = query.get('limit');
  const limit = limitParam === null ? defaultLimit : Number(limitParam);
  return items.slice(offset, limit === undefined ? undefined : offset + limit);
}

function apiKeyChecker(apiKey: string | undefined): (header: unknown, query: string | null) => boolean {
  if (!apiKey) return () => true;
  const hashed = apiKey.startsWith('sha512:') ? apiKey.slice('sha512:'.length).toLowerCase() : null;
  return (header, query) => {
    const presented = typeof header === 'string' ? header : (query ?? '');
    if (!presented) return false;
    const expected = Buffer.from(hashed ?? apiKey);
    const actual = Buffer.from(hashed ? createHash('sha512').update(presented).digest('hex') : presented);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
