import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import WebSocket from 'ws';
import { createOrmConfig } from '../../mikro-orm.config.js';
import { shutDown } from '../../src/bootstrap.js';
import { Metrics } from '../../src/observability/metrics.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/fake-n8n.js';

const CREATE = `mutation($name: String!) { createWhatsappSession(input: { displayName: $name }) { id displayName } }`;
const SEND = `mutation($sessionId: ID!, $text: String!) { sendWhatsappMessage(sessionId: $sessionId, to: "+49 151 11112222", text: $text) { localId body } }`;

/** What became of one request: an answer (any status), or a failure of the connection (reset, refused). */
type Outcome =
  | { answered: true; status: number; headers: IncomingHttpHeaders; body: Record<string, unknown> }
  | { answered: false; error: string };

/** One request on a connection of its own (no keep-alive reuse), so a reset can only be the server's doing. */
function send(url: string, method: 'GET' | 'POST', body?: unknown, headers: Record<string, string> = {}) {
  return new Promise<Outcome>((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => resolve({ answered: false, error: error.message }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown>;
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            parsed = { text };
          }
          resolve({ answered: true, status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      },
    );
    req.on('error', (error) => resolve({ answered: false, error: error.message }));
    req.end(payload);
  });
}

/**
 * Stands at PUBLIC_WEBHOOK_URL in front of the service: forwards the create's webhook probe
 * to it, or holds it until released, so the test decides how long a create stays in flight.
 */
class ProbeGate {
  private readonly held: (() => void)[] = [];
  private holding = false;
  private target = '';

  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const forward = () => {
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(
            ([name]) => !['host', 'connection', 'content-length'].includes(name),
          ),
        ) as Record<string, string>;
        const upstream = request(`${this.target}/webhooks/waha`, { method: 'POST', agent: false, headers });
        upstream.on('response', (answer) => {
          res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' });
          answer.pipe(res);
        });
        upstream.on('error', (error) => {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ proxyError: error.message }));
        });
        upstream.end(Buffer.concat(chunks));
      };
      if (this.holding) this.held.push(forward);
      else forward();
    });
  });

  static async start(): Promise<ProbeGate> {
    const gate = new ProbeGate();
    await new Promise<void>((resolve) => gate.server.listen(0, '127.0.0.1', resolve));
    return gate;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/waha`;
  }

  forwardTo(serviceUrl: string): void {
    this.target = serviceUrl;
  }

  hold(): void {
    this.holding = true;
  }

  async heldCount(n: number): Promise<void> {
    await eventually(() => expect(this.held.length).toBeGreaterThanOrEqual(n));
  }

  release(): void {
    this.holding = false;
    for (const forward of this.held.splice(0)) forward();
  }

  close(): Promise<void> {
    this.release();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A new graphql-ws connection: acknowledged, or closed with a code before that. */
function connectWs(url: string, token: string): Promise<{ acked: boolean; code?: number; reason?: string }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
    );
    socket.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString('utf8')) as { type: string }).type === 'connection_ack') {
        resolve({ acked: true });
        socket.close();
      }
    });
    socket.on('close', (code: number, reason: Buffer) =>
      resolve({ acked: false, code, reason: reason.toString('utf8') }),
    );
    socket.on('error', () => undefined);
  });
}

function codeOf(outcome: Outcome): unknown {
  if (!outcome.answered) return undefined;
  const errors = outcome.body['errors'] as { extensions?: { code?: string } }[] | undefined;
  return errors?.[0]?.extensions?.code ?? (outcome.body['error'] as { code?: string } | undefined)?.code;
}

describe('a replica that is told to stop (the SIGTERM path)', () => {
  let db: TestDatabase;
  let probe: ProbeGate;
  let t: TestApp;
  let orm: MikroORM;
  let stopped = false;

  beforeAll(async () => {
    db = await createTestDatabase();
    probe = await ProbeGate.start();
    const port = await freePort();
    t = await startTestApp(
      {
        PORT: String(port),
        WEBHOOK_PROBE_ON_CREATE: 'true',
        PUBLIC_WEBHOOK_URL: probe.url,
        CREATE_QR_WAIT_MS: '0',
        RATE_LIMIT_PER_MINUTE: '0',
      },
      db,
    );
    probe.forwardTo(t.url);
    orm = await MikroORM.init(createOrmConfig(db.url, { logger: () => undefined }));
  });
  afterAll(async () => {
    if (!stopped) await t?.app.close();
    await orm?.close(true);
    await probe?.close();
    await db?.drop();
  });

  it('goes unready, refuses new work with a retryable 503, and answers everything it took before the listener closes', async () => {
    const token = await t.token('stopping-co');
    const auth = { authorization: `Bearer ${token}` };
    const gql = (query: string, variables: Record<string, unknown>) =>
      send(`${t.url}/graphql`, 'POST', { query, variables }, auth);

    const sender = await gql(CREATE, { name: 'Sender' });
    expect(sender).toMatchObject({ answered: true, status: 200 });
    const senderId = (sender as { body: { data: { createWhatsappSession: { id: string } } } } & Outcome).body
      .data.createWhatsappSession.id;
    await orm.em.fork().execute(`update whatsapp_sessions set status = 'WORKING' where id = ?`, [senderId]);

    // Creates in flight: each waits in its webhook probe until the test lets it through.
    probe.hold();
    const creates = ['Held 1', 'Held 2', 'Held 3'].map((name) => gql(CREATE, { name }));
    await probe.heldCount(3);

    // A burst of sends; the stop comes once the first of them is answered, the rest are under way.
    const texts = Array.from({ length: 20 }, (_, i) => `burst ${i}`);
    const sends = texts.map((text) => gql(SEND, { sessionId: senderId, text }));
    await Promise.race(sends);

    const order: string[] = [];
    const listenerClosed = new Promise<void>((resolve) =>
      (t.app.getHttpServer() as Server).once('close', () => {
        order.push('listener closed');
        resolve();
      }),
    );
    const stopping = shutDown(t.app);
    stopped = true;

    const ready = await send(`${t.url}/health/ready`, 'GET');
    order.push(ready.answered ? `ready ${ready.status}` : `ready failed: ${ready.error}`);
    const lateTexts = ['late 1', 'late 2'];
    const late = await Promise.all([
      ...lateTexts.map((text) => gql(SEND, { sessionId: senderId, text })),
      gql(CREATE, { name: 'Late create' }),
      // WAHA retries a webhook answered 5xx: another replica takes it.
      send(`${t.url}/webhooks/waha`, 'POST', { event: 'message', session: senderId, payload: {} }),
    ]);
    // n8n's write-backs are still served (a workflow does not retry one).
    const internal = await send(
      `${t.url}/internal/graphql`,
      'POST',
      { query: '{ __typename }' },
      { 'x-internal-key': t.config.internalApi.key },
    );
    const socket = await connectWs(t.url, token);
    const sent = await Promise.all(sends);

    probe.release();
    const created = await Promise.all(creates);
    await stopping;
    await listenerClosed;

    // Readiness went down while the listener was still open.
    expect(order).toEqual(['ready 503', 'listener closed']);

    // Nothing was cut off: every request got an answer.
    for (const outcome of [...sent, ...late, ...created]) expect(outcome).toMatchObject({ answered: true });

    // What came after the stop was refused, retryably, and left nothing behind.
    for (const outcome of late) {
      expect(outcome).toMatchObject({ status: 503, headers: { 'retry-after': expect.any(String) } });
      expect(codeOf(outcome)).toBe('SHUTTING_DOWN');
    }
    expect(socket).toMatchObject({ acked: false, code: 1013 });
    expect(internal).toMatchObject({ answered: true, status: 200, body: { data: { __typename: 'Query' } } });
    const refusals = await t.app
      .get(Metrics)
      .registry.getSingleMetricAsString('whatsapp_hub_shutdown_refusals_total');
    expect(refusals).toContain('whatsapp_hub_shutdown_refusals_total{kind="graphql"}');
    expect(refusals).toContain('whatsapp_hub_shutdown_refusals_total{kind="webhook"} 1');

    // The held creates were taken before the stop: each is answered with its session.
    for (const outcome of created) {
      expect(outcome).toMatchObject({ status: 200 });
      expect(codeOf(outcome)).toBeUndefined();
    }

    // Each send of the burst is either answered with its committed row or refused with none.
    const em = orm.em.fork();
    const rows = await em.execute<{ body: string }[]>(`select body from messages where session_id = ?`, [
      senderId,
    ]);
    const stored = new Set(rows.map((row) => row.body));
    texts.forEach((text, i) => {
      const outcome = sent[i]!;
      if (outcome.answered && outcome.status === 200) {
        expect(codeOf(outcome)).toBeUndefined();
        expect(stored.has(text)).toBe(true);
      } else {
        expect(outcome).toMatchObject({ status: 503, headers: { 'retry-after': expect.any(String) } });
        expect(codeOf(outcome)).toBe('SHUTTING_DOWN');
        expect(stored.has(text)).toBe(false);
      }
    });
    for (const text of lateTexts) expect(stored.has(text)).toBe(false);
    const sessions = await em.execute<{ display_name: string }[]>(
      `select display_name from whatsapp_sessions order by display_name`,
    );
    expect(sessions.map((s) => s.display_name)).toEqual(['Held 1', 'Held 2', 'Held 3', 'Sender']);
  }, 120_000);
});
