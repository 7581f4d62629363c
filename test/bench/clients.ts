/**
 * A swarm of WebSocket clients in a process of its own (forked by the orchestrator), so their
 * CPU and memory are not the server's. Driven over IPC:
 *
 *   open {kind, url, count, tokens?, query?, variables?}
 *     kind 'ws':          bare `ws` sockets (the baselines); resolves once every socket is open.
 *     kind 'graphql-ws':  one graphql-ws client (the library dashboards use) per socket, the JWT
 *                         in connection_init, one subscription each; resolves once every
 *                         subscription has delivered its first event, i.e. is live on the server
 *                         (`whatsappSessionUpdated(id)` starts with the session's snapshot).
 *   await {key, count, timeoutMs}  the receipt times (now(), ms) of the message carrying `key`,
 *                                  once `count` sockets have it, or what came before the timeout.
 *   sample {key}                   one `data` as received for `key` (to shape the baseline's payload).
 *   close                          closes every socket.
 *
 * Every message is keyed by `data.whatsappSessionUpdated.session.qr.value`, the same path in the
 * service's events and in the baseline's payload, and timestamped on receipt before anything else.
 */
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { now, serveParent } from './support.js';

interface Update {
  whatsappSessionUpdated?: { session?: { qr?: { value?: string } | null } };
}

const receipts = new Map<string, number[]>();
const samples = new Map<string, unknown>();
const waiters = new Map<string, { count: number; wake: () => void }>();
const closers: (() => void)[] = [];
let errors = 0;

function record(data: Update | null | undefined, at: number): void {
  const key = data?.whatsappSessionUpdated?.session?.qr?.value;
  if (!key) return;
  let times = receipts.get(key);
  if (!times) {
    times = [];
    receipts.set(key, times);
    samples.set(key, data);
  }
  times.push(at);
  const waiter = waiters.get(key);
  if (waiter && times.length >= waiter.count) waiter.wake();
}

function openWs(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.on('message', (raw) => {
      const at = now();
      const message = JSON.parse(raw.toString()) as { payload?: { data?: Update } };
      record(message.payload?.data, at);
    });
    socket.once('open', () => resolve(true));
    socket.once('error', () => {
      errors++;
      resolve(false);
    });
    closers.push(() => socket.terminate());
  });
}

function openGraphqlWs(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<boolean> {
  const client: Client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  closers.push(() => void client.dispose());
  return new Promise((resolve) => {
    let live = false;
    client.subscribe<Update>(
      { query, variables },
      {
        next: (result) => {
          const at = now();
          if (!live) {
            live = true;
            resolve(true);
          }
          record(result.data, at);
        },
        error: (error) => {
          errors++;
          if (errors <= 3) console.error('clients: subscription failed', error);
          resolve(false);
        },
        complete: () => resolve(live),
      },
    );
  });
}

/** Opens `count` with at most `parallel` in flight (so the server's accept backlog is not the test). */
async function openMany(count: number, parallel: number, open: (i: number) => Promise<boolean>) {
  let next = 0;
  let opened = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        if (await open(next++)) opened++;
      }
    }),
  );
  return { opened, failed: count - opened, ms: now() - started };
}

serveParent({
  open: (request) => {
    const count = Number(request['count']);
    const url = String(request['url']);
    const parallel = Number(request['parallel'] ?? 100);
    if (request['kind'] === 'ws') return openMany(count, parallel, () => openWs(url));
    const tokens = request['tokens'] as string[];
    const query = String(request['query']);
    const variables = (request['variables'] ?? {}) as Record<string, unknown>;
    return openMany(count, parallel, (i) => openGraphqlWs(url, tokens[i % tokens.length]!, query, variables));
  },
  await: async (request) => {
    const key = String(request['key']);
    const count = Number(request['count']);
    const timeoutMs = Number(request['timeoutMs'] ?? 10_000);
    if ((receipts.get(key)?.length ?? 0) < count) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiters.set(key, {
          count,
          wake: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
      waiters.delete(key);
    }
    const times = receipts.get(key) ?? [];
    receipts.delete(key);
    return times;
  },
  sample: (request) => samples.get(String(request['key'])) ?? null,
  close: () => {
    for (const close of closers.splice(0)) close();
    receipts.clear();
    samples.clear();
    return { errors };
  },
});
process.send?.({ op: 'ready' });
