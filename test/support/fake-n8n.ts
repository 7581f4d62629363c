import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { eventually } from './eventually.js';

export interface ReceivedCommand {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  body: {
    commandId: string;
    type: string;
    tenantId: string;
    sessionId: string | null;
    attempt: number;
    payload: Record<string, unknown>;
  };
}

export interface FakeN8n {
  url: string;
  received: ReceivedCommand[];
  /** Answer the next `count` requests with `status` (after `delayMs`), then 200 again. */
  failNext(count: number, status?: number, delayMs?: number): void;
  /** Answer the next `count` requests as n8n does while it starts: 200, text, no workflow run. */
  startingUpNext(count: number): void;
  /** Resolves once `predicate` holds for what was received; fails after `timeoutMs` (a cap) naming what came. */
  waitFor(
    predicate: (received: ReceivedCommand[]) => boolean,
    timeoutMs?: number,
  ): Promise<ReceivedCommand[]>;
  close(): Promise<void>;
}

/**
 * A stand-in for n8n's Webhook nodes over real HTTP: records every command it is sent
 * and can be told to fail or hang, as a real n8n that is down or slow would.
 */
export async function startFakeN8n(): Promise<FakeN8n> {
  const received: ReceivedCommand[] = [];
  const failures: { status: number; delayMs: number; startingUp?: boolean }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const failure = failures.shift();
      const answer = () => {
        received.push({
          at: Date.now(),
          path: req.url ?? '',
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedCommand['body'],
        });
        if (failure?.startingUp) {
          // n8n's abstract-server.js before its database is migrated: `res.send(...)`, a string.
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end('n8n is starting up. Please wait');
          return;
        }
        res.writeHead(failure?.status ?? 200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(failure ? { message: 'Error in workflow' } : { message: 'Workflow was started' }),
        );
      };
      if (failure?.delayMs) setTimeout(answer, failure.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failNext(count, status = 503, delayMs = 0) {
      for (let i = 0; i < count; i += 1) failures.push({ status, delayMs });
    },
    startingUpNext(count) {
      for (let i = 0; i < count; i += 1) failures.push({ status: 200, delayMs: 0, startingUp: true });
    },
    async waitFor(predicate, timeoutMs) {
      await eventually(
        () => {
          if (!predicate(received))
            throw new Error(
              `fake n8n: condition not met; received ${JSON.stringify(received.map((r) => r.body.type))}`,
            );
        },
        { timeoutMs, intervalMs: 20 },
      );
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A free loopback port, for a service that must know its own URL before it starts. */
export { freePort } from '../tools/devstack/process.js';
