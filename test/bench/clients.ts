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
 *
 * For live-fanout, `open` also takes: `keyPath` (the path under `data` that keys messages
 * instead, e.g. whatsappMessageUpserted.message.wahaId), `urls` (ws: socket i connects to
 * urls[i % length]), `variablesList` (graphql-ws: socket i subscribes with
 * variablesList[i % length]) and `untilConnected` (graphql-ws: resolve once connection_ack has
 * come and the subscribe is sent, for a subscription that starts with no snapshot). And:
 *   receipts {expected, timeoutMs}  waits until `expected` keyed messages have come since the last
 *                                   call (or the timeout), then returns every key's receipt times,
 *                                   the keyed messages each socket got (by its index), the
 *                                   subscription errors, and starts counting afresh.
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
/** live-fanout: where the key is under `data`, and keyed messages per socket index since `receipts`. */
let keyPath: string[] | undefined;
let perSocket: number[] = [];
let keyed = 0;
let keyedWaiter: { count: number; wake: () => void } | undefined;

function keyOf(data: Update | null | undefined): string | undefined {
  if (!keyPath) return data?.whatsappSessionUpdated?.session?.qr?.value;
  let at: unknown = data;
  for (const step of keyPath) at = (at as Record<string, unknown> | null | undefined)?.[step];
  return typeof at === 'string' ? at : undefined;
}

function record(data: Update | null | undefined, at: number, socket?: number): void {
  const key = keyOf(data);
  if (!key) return;
  if (socket !== undefined) {
    perSocket[socket] = (perSocket[socket] ?? 0) + 1;
    if (++keyed === keyedWaiter?.count) keyedWaiter.wake();
  }
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

function openWs(url: string, index?: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.on('message', (raw) => {
      const at = now();
      const message = JSON.parse(raw.toString()) as { payload?: { data?: Update } };
      record(message.payload?.data, at, index);
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
  index?: number,
  untilConnected = false,
): Promise<boolean> {
  let connected: () => void = () => undefined;
  const client: Client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
    ...(untilConnected ? { on: { connected: () => connected() } } : {}),
  });
  closers.push(() => void client.dispose());
  return new Promise((resolve) => {
    let live = false;
    // graphql-ws sends the subscribe right after connection_ack, in the same turn.
    connected = () => setImmediate(() => resolve(true));
    client.subscribe<Update>(
      { query, variables },
      {
        next: (result) => {
          const at = now();
          if (!live) {
            live = true;
            resolve(true);
          }
          record(result.data, at, index);
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
    const urls = request['urls'] as string[] | undefined;
    if (request['keyPath']) keyPath = request['keyPath'] as string[];
    if (request['kind'] === 'ws' && urls)
      return openMany(count, parallel, (i) => openWs(urls[i % urls.length]!, i));
    if (request['kind'] === 'ws') return openMany(count, parallel, () => openWs(url));
    const tokens = request['tokens'] as string[];
    const query = String(request['query']);
    const variables = (request['variables'] ?? {}) as Record<string, unknown>;
    const list = request['variablesList'] as Record<string, unknown>[] | undefined;
    if (list) {
      const untilConnected = request['untilConnected'] === true;
      return openMany(count, parallel, (i) =>
        openGraphqlWs(url, tokens[i % tokens.length]!, query, list[i % list.length]!, i, untilConnected),
      );
    }
    return openMany(count, parallel, (i) => openGraphqlWs(url, tokens[i % tokens.length]!, query, variables));
  },
  receipts: async (request) => {
    const expected = Number(request['expected'] ?? 0);
    if (keyed < expected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Number(request['timeoutMs'] ?? 10_000));
        keyedWaiter = {
          count: expected,
          wake: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
      keyedWaiter = undefined;
    }
    const result = { byKey: Object.fromEntries(receipts), perSocket, errors };
    receipts.clear();
    samples.clear();
    perSocket = [];
    keyed = 0;
    return result;
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
