import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: string;
  body: { id: string; event: string; session: string; payload: Record<string, unknown> } & Record<
    string,
    unknown
  >;
  /** The status this receiver answered. */
  answered: number;
}

/**
 * A real HTTP endpoint for the simulator's webhooks. `respond` decides the status of each
 * request (default 200), so tests can make deliveries fail and watch the retries.
 */
export async function startWebhookReceiver() {
  const received: ReceivedWebhook[] = [];
  const waiters: { predicate: (all: ReceivedWebhook[]) => boolean; resolve: () => void }[] = [];
  let respond: (hook: Omit<ReceivedWebhook, 'answered'>, index: number) => number = () => 200;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const hook = { headers: req.headers, rawBody, body: JSON.parse(rawBody) as ReceivedWebhook['body'] };
      const answered = respond(hook, received.length);
      received.push({ ...hook, answered });
      res.writeHead(answered).end();
      for (const waiter of [...waiters]) {
        if (waiter.predicate(received)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/webhooks/waha`,
    received,
    respondWith(fn: typeof respond) {
      respond = fn;
    },
    /** Resolves once `predicate` holds for what arrived so far (event-driven; jest's timeout bounds it). */
    waitFor(predicate: (all: ReceivedWebhook[]) => boolean): Promise<ReceivedWebhook[]> {
      if (predicate(received)) return Promise.resolve(received);
      return new Promise((resolve) => waiters.push({ predicate, resolve: () => resolve(received) }));
    },
    events(session: string, event: string): ReceivedWebhook[] {
      return received.filter((r) => r.body.session === session && r.body.event === event);
    },
    clear() {
      received.length = 0;
    },
    close(): Promise<void> {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
