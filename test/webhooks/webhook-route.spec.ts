import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type IncomingHttpHeaders, request } from 'node:http';
import { PinoLogger } from 'nestjs-pino';
import { ShutdownGate } from '../../src/health/shutdown-gate.js';
import { Metrics } from '../../src/observability/metrics.js';
import { PROBE_HEADER } from '../../src/config/http-surface.js';
import { WebhookIngestService } from '../../src/webhooks/webhook-ingest.service.js';
import { probeKey } from '../../src/whatsapp-sessions/webhook-reachability.js';
import { MAX_BODY, startWebhookFixture, type WebhookFixture, webhookPosts } from './support/webhook-posts.js';

/**
 * POST /webhooks/waha is served on node:http ahead of Express (WebhookRoute). Everything the
 * route did through Express it still does: the shutdown gate, the body limit, the request id,
 * the request log for what failed, the error shape; and what it does not serve (other methods,
 * other paths) reaches Express exactly as before. Real HTTP on 127.0.0.1.
 */

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /webhooks/waha on node:http, ahead of Express', () => {
  let f: WebhookFixture;
  const { inboundEvent, signed, counts } = webhookPosts(() => f);
  /** What the app writes on stdout (LOG_FORMAT=pretty writes through process.stdout). */
  let written: string[] = [];
  const noColor = process.env['NO_COLOR'];

  beforeAll(async () => {
    process.env['NO_COLOR'] = '1';
    f = await startWebhookFixture('route-co', { LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' });
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    if (noColor === undefined) delete process.env['NO_COLOR'];
    else process.env['NO_COLOR'] = noColor;
    await f?.close();
  });

  /** One request on a connection of its own; `chunks` are written one after the other (chunked unless a length is given). */
  function send(
    method: string,
    path: string,
    chunks: (string | Buffer)[] = [],
    headers: Record<string, string | number> = {},
  ): Promise<Reply> {
    const url = new URL(f.t.url);
    return new Promise((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path, method, headers, agent: false },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (part: Buffer) => parts.push(part));
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(parts).toString() }),
          );
        },
      );
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  const json = (reply: Reply) => JSON.parse(reply.text) as Record<string, unknown>;

  /** The request log's lines since the last call, for webhook requests. */
  function webhookLogLines(): string[] {
    const lines = written
      .join('')
      .split('\n')
      .filter((line) => /\/webhooks\/waha/i.test(line) || / ERROR /.test(line));
    written = [];
    return lines;
  }

  it('stores a signed event, at the path with a trailing slash or a query string too, with a request id', async () => {
    webhookLogLines();
    const before = await counts();
    for (const path of [
      '/webhooks/waha',
      '/webhooks/waha/',
      '/webhooks/waha?from=waha',
      '/webhooks/waha/?a=1',
    ]) {
      const event = inboundEvent();
      const body = JSON.stringify(event);
      const reply = await send('POST', path, [body], {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...signed(body),
      });
      expect({ path, status: reply.status, body: json(reply) }).toEqual({
        path,
        status: 200,
        body: { status: 'stored', eventId: event.id },
      });
      expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(reply.headers['x-request-id']).toMatch(UUID);
      // Served ahead of Express: none of its headers.
      expect(reply.headers['x-powered-by']).toBeUndefined();
    }
    expect((await counts()).messages).toBe(before.messages + 4);
    // Successes are counted, not logged at info (one line per event would be most of the log).
    expect(webhookLogLines()).toEqual([]);
    const counted = await f.t.app
      .get(Metrics)
      .registry.getSingleMetricAsString('whatsapp_hub_webhook_events_total');
    expect(counted).toContain('whatsapp_hub_webhook_events_total{event="message",outcome="stored"} 4');
  });

  it("logs its successes too at LOG_LEVEL=debug, in the request log's format", async () => {
    const root = PinoLogger.root;
    const level = root.level;
    root.level = 'debug';
    try {
      webhookLogLines();
      const event = inboundEvent();
      const body = JSON.stringify(event);
      const reply = await send('POST', '/webhooks/waha?from=waha', [body], signed(body));
      expect(reply.status).toBe(200);
      expect(webhookLogLines()).toEqual([expect.stringMatching(/ DEBUG POST \/webhooks\/waha 200 \d+ ms$/)]);
    } finally {
      root.level = level;
    }
  });

  it("echoes the caller's well-formed request id, and replaces one that is not", async () => {
    const given = await send('POST', '/webhooks/waha', ['{}'], { 'x-request-id': 'waha-delivery-12345' });
    expect(given.headers['x-request-id']).toBe('waha-delivery-12345');
    const replaced = await send('POST', '/webhooks/waha', ['{}'], { 'x-request-id': 'bad id with spaces' });
    expect(replaced.headers['x-request-id']).toMatch(UUID);
  });

  it('logs a refusal at warn with its request id, and counts it', async () => {
    webhookLogLines();
    const reply = await send('POST', '/webhooks/waha', ['{}'], { 'content-type': 'application/json' });
    expect(reply.status).toBe(401);
    expect(json(reply)).toEqual({
      error: { code: 'UNAUTHENTICATED', message: 'The X-Webhook-Hmac header is missing' },
    });
    expect(webhookLogLines()).toEqual([expect.stringMatching(/ WARN {2}POST \/webhooks\/waha 401 \d+ ms$/)]);
    const counted = await f.t.app
      .get(Metrics)
      .registry.getSingleMetricAsString('whatsapp_hub_webhook_events_total');
    expect(counted).toMatch(/whatsapp_hub_webhook_events_total\{event="unknown",outcome="rejected"\} [1-9]/);
  });

  it.each([
    ['a Content-Length over the limit', true],
    ['a chunked body that grows over the limit', false],
  ])('answers 413 PAYLOAD_TOO_LARGE for %s, stores nothing, and logs it', async (_name, withLength) => {
    webhookLogLines();
    const before = await counts();
    const body = JSON.stringify(inboundEvent({ body: 'x'.repeat(MAX_BODY) }));
    const half = Math.floor(body.length / 2);
    const reply = await send('POST', '/webhooks/waha', [body.slice(0, half), body.slice(half)], {
      'content-type': 'application/json',
      ...signed(body),
      ...(withLength ? { 'content-length': body.length } : {}),
    });
    expect(reply.status).toBe(413);
    expect(json(reply)).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: `The body is larger than ${MAX_BODY} bytes` },
    });
    expect(reply.headers['x-request-id']).toMatch(UUID);
    expect(await counts()).toEqual(before);
    expect(webhookLogLines()).toEqual([expect.stringMatching(/ WARN {2}POST \/webhooks\/waha 413 \d+ ms$/)]);
  });

  it('answers a body it cannot read (an unknown Content-Encoding) 415 BAD_REQUEST, as before', async () => {
    const reply = await send('POST', '/webhooks/waha', ['{}'], { 'content-encoding': 'bogus' });
    expect(reply.status).toBe(415);
    expect(json(reply)).toEqual({
      error: { code: 'BAD_REQUEST', message: 'The request body could not be read' },
    });
  });

  it('answers the signed probe that session creation depends on', async () => {
    const body = JSON.stringify({
      id: 'probe_1',
      timestamp: Date.now(),
      event: 'whatsapp-hub.probe',
      session: null,
      payload: { nonce: 'n-route' },
    });
    const reply = await send('POST', '/webhooks/waha', [body], signed(body, probeKey(f.t.config)));
    expect({ status: reply.status, body: json(reply) }).toEqual({ status: 200, body: { probe: 'n-route' } });
  });

  it.each([
    ['GET', '/webhooks/waha'],
    ['PUT', '/webhooks/waha'],
    ['DELETE', '/webhooks/waha'],
    ['OPTIONS', '/webhooks/waha'],
    ['POST', '/webhooks/waha/extra'],
    ['POST', '/webhooks'],
  ])("leaves %s %s to Express: its 404, with Express's headers and a request id", async (method, path) => {
    const reply = await send(method, path, method === 'GET' ? [] : ['{}'], {
      'content-type': 'application/json',
    });
    expect(reply.status).toBe(404);
    expect(json(reply)).toEqual({ message: `Cannot ${method} ${path}`, error: 'Not Found', statusCode: 404 });
    expect(reply.headers['x-powered-by']).toBe('Express');
    expect(reply.headers['x-request-id']).toMatch(UUID);
  });

  it('leaves HEAD to Express: 404 without a body', async () => {
    const reply = await send('HEAD', '/webhooks/waha');
    expect(reply.status).toBe(404);
    expect(reply.text).toBe('');
  });

  it('leaves the path in other letter case to Express, whose router serves it with the same answers', async () => {
    const before = await counts();
    const event = inboundEvent();
    const body = JSON.stringify(event);
    const reply = await send('POST', '/Webhooks/WAHA', [body], {
      'content-type': 'application/json',
      ...signed(body),
    });
    expect({ status: reply.status, body: json(reply) }).toEqual({
      status: 200,
      body: { status: 'stored', eventId: event.id },
    });
    expect(reply.headers['x-powered-by']).toBe('Express');
    expect((await counts()).messages).toBe(before.messages + 1);
  });

  it('answers an unexpected failure 500 with an errorId (no stack, no cause), logs it at error, and WAHA retries', async () => {
    webhookLogLines();
    const spy = jest
      .spyOn(f.t.app.get(WebhookIngestService), 'receive')
      .mockRejectedValueOnce(new Error('connection to the database lost (secret detail)'));
    const body = JSON.stringify(inboundEvent());
    const reply = await send('POST', '/webhooks/waha', [body], signed(body));
    spy.mockRestore();
    expect(reply.status).toBe(500);
    const answer = json(reply) as { error: { errorId: string } };
    expect(answer).toEqual({
      error: {
        code: 'INTERNAL_SERVER_ERROR',
        message: 'The event was not stored',
        errorId: expect.stringMatching(UUID),
      },
    });
    expect(reply.text).not.toContain('secret detail');
    // (The errorId's own line goes through Nest's logger, which the test app turns off.)
    expect(webhookLogLines()).toEqual([expect.stringMatching(/ ERROR POST \/webhooks\/waha 500 \d+ ms/)]);
    // The same event again is stored: nothing was recorded the first time.
    const again = await send('POST', '/webhooks/waha', [body], signed(body));
    expect(again.status).toBe(200);
  });

  // Last: a stopped gate stays stopped.
  it('while the replica stops: counts a webhook taken before for the drain, refuses a new one with the retryable 503, still answers the probe', async () => {
    const gate = f.t.app.get(ShutdownGate);
    const before = await counts();
    // Taken before the stop: its headers are in, its body is not yet.
    const event = inboundEvent();
    const body = JSON.stringify(event);
    const url = new URL(f.t.url);
    const untilInFlight = async (n: number) => {
      while (gate.inFlight !== n) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    await untilInFlight(0);
    const taken = request({
      host: url.hostname,
      port: url.port,
      path: '/webhooks/waha',
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...signed(body),
      },
    });
    const answerOfTaken = new Promise<Reply>((resolve, reject) => {
      taken.on('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(parts).toString() }),
        );
      });
      taken.on('error', reject);
    });
    taken.flushHeaders();
    taken.write(body.slice(0, 10));
    await untilInFlight(1);

    gate.stop();
    const drained = gate.drained(60_000);

    const late = JSON.stringify(inboundEvent());
    const refused = await send('POST', '/webhooks/waha', [late], signed(late));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['connection']).toBe('close');
    expect(json(refused)).toMatchObject({ error: { code: 'SHUTTING_DOWN' } });

    const probeBody = JSON.stringify({
      id: 'probe_2',
      timestamp: Date.now(),
      event: 'whatsapp-hub.probe',
      session: null,
      payload: { nonce: 'n-stopping' },
    });
    const probe = await send('POST', '/webhooks/waha', [probeBody], {
      ...signed(probeBody, probeKey(f.t.config)),
      [PROBE_HEADER]: '1',
    });
    expect({ status: probe.status, body: json(probe) }).toEqual({
      status: 200,
      body: { probe: 'n-stopping' },
    });

    // The request taken before the stop is still counted (the probe's count ends with its
    // connection); it completes, is answered, and the drain ends.
    await untilInFlight(1);
    taken.end(body.slice(10));
    const answer = await answerOfTaken;
    expect({ status: answer.status, body: json(answer) }).toEqual({
      status: 200,
      body: { status: 'stored', eventId: event.id },
    });
    expect(answer.headers['connection']).toBe('close');
    expect(await drained).toBe(true);
    expect((await counts()).messages).toBe(before.messages + 1);
    const refusals = await f.t.app
      .get(Metrics)
      .registry.getSingleMetricAsString('whatsapp_hub_shutdown_refusals_total');
    expect(refusals).toContain('whatsapp_hub_shutdown_refusals_total{kind="webhook"} 1');
  });
});
