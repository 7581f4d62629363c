import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { pinoHttp } from 'pino-http';
import { parseEnv } from '../../src/config/env.js';
import { httpLoggerOptions } from '../../src/observability/logging.js';
import { prettyLogStream } from '../../src/observability/pretty-log.js';
import { startTestApp, type TestApp } from '../support/app.js';

/** A destination that keeps what it is given, line by line. */
function capture() {
  const lines: string[] = [];
  return {
    lines,
    write(chunk: string) {
      lines.push(...chunk.split('\n').filter((line) => line !== ''));
      return true;
    },
  };
}

/** The service's request logger in front of a plain HTTP server, as Nest mounts it. */
async function loggedServer(env: Record<string, string>, destination: { write(chunk: string): unknown }) {
  const config = parseEnv({ NODE_ENV: 'development', ...env });
  const log = pinoHttp(httpLoggerOptions(config), destination as never);
  const server: Server = createServer((req, res) => {
    log(req, res);
    res.statusCode = req.url?.startsWith('/missing') ? 404 : 200;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('log format', () => {
  it('defaults to JSON (what production collects), one object per request, query strings left out', async () => {
    const out = capture();
    const server = await loggedServer({}, out);
    try {
      await fetch(`${server.url}/graphql?token=secret`, {
        method: 'POST',
        headers: { 'x-request-id': 'req-12345678' },
      });
    } finally {
      await server.close();
    }
    expect(parseEnv({}).logFormat).toBe('json');
    expect(out.lines).toHaveLength(1);
    const record = JSON.parse(out.lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({
      level: 'info',
      service: 'whatsapp-hub',
      req: { id: 'req-12345678', method: 'POST', path: '/graphql' },
      res: { statusCode: 200 },
    });
    expect(out.lines[0]).not.toContain('secret');
  });

  it('LOG_FORMAT=pretty: one short line per request, readable at a glance', async () => {
    const out = capture();
    const server = await loggedServer({ LOG_FORMAT: 'pretty' }, prettyLogStream(out, { color: false }));
    try {
      await fetch(`${server.url}/graphql?token=secret`, { method: 'POST' });
      await fetch(`${server.url}/missing`);
    } finally {
      await server.close();
    }
    expect(out.lines).toHaveLength(2);
    expect(out.lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}POST \/graphql 200 \d+ ms$/);
    expect(out.lines[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}GET \/missing 404 \d+ ms$/);
    for (const line of out.lines) {
      expect(line.length).toBeLessThan(80);
      expect(line).not.toContain('{');
      expect(line).not.toContain('secret');
    }
  });

  it('LOG_FORMAT=pretty: a message keeps its context and fields; an error its message and stack', () => {
    const out = capture();
    const stream = prettyLogStream(out, { color: false });
    const time = '2026-11-21T07:00:00.123Z';
    stream.write(
      `${JSON.stringify({ level: 'warn', time, service: 'whatsapp-hub', context: 'Webhooks', msg: 'Event evt_1 refused', sessionId: 'ws_1' })}\n`,
    );
    const error = new Error('connection refused');
    stream.write(
      `${JSON.stringify({ level: 'error', time, service: 'whatsapp-hub', context: 'Outbox', msg: 'delivery failed', err: { type: 'Error', message: error.message, stack: error.stack } })}\n`,
    );
    // Nest's wiring report at every start: not for a person at a terminal.
    stream.write(
      `${JSON.stringify({ level: 'info', time, service: 'whatsapp-hub', context: 'RouterExplorer', msg: 'Mapped {/health, GET} route' })}\n`,
    );
    stream.write('not json at all\n');
    const local = new Date(time);
    const hhmmss = [local.getHours(), local.getMinutes(), local.getSeconds()]
      .map((n) => String(n).padStart(2, '0'))
      .join(':');
    expect(out.lines[0]).toBe(`${hhmmss}.123 WARN  [Webhooks] Event evt_1 refused sessionId=ws_1`);
    expect(out.lines[1]).toBe(`${hhmmss}.123 ERROR [Outbox] delivery failed: connection refused`);
    expect(out.lines[2]).toMatch(/^\s+at /);
    expect(out.lines.at(-1)).toBe('not json at all');
    expect(out.lines.some((line) => line.includes('Mapped'))).toBe(false);
  });
});

describe('the service with LOG_FORMAT=pretty', () => {
  let t: TestApp;
  const written: string[] = [];
  const noColor = process.env['NO_COLOR'];
  beforeAll(async () => {
    // Colors only on a terminal that wants them; these lines are read by a regex.
    process.env['NO_COLOR'] = '1';
    t = await startTestApp({ LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' });
  });
  afterAll(async () => {
    if (noColor === undefined) delete process.env['NO_COLOR'];
    else process.env['NO_COLOR'] = noColor;
    await t?.close();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('logs its requests as short lines on stdout', async () => {
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    const token = await t.token('acme');
    await t.gql('{ whatsappSessions(first: 1) { edges { node { id } } } }', {}, { token });
    spy.mockRestore();
    const lines = written
      .join('')
      .split('\n')
      .filter((line) => / POST \/graphql /.test(line));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}POST \/graphql 200 \d+ ms tenant=[0-9a-f]{8}$/);
  });
});
