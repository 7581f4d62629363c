import { type LookupFunction } from 'node:net';
import got from 'got';
import { type CheckedAddress } from './webhook-targets.js';

/** The most of an answer kept in the delivery log: enough to debug, never a copy of it. */
export const EXCERPT_BYTES = 256;

export interface SendResult {
  /** The HTTP status, or null when none came (refused, timed out, connection failed). */
  statusCode: number | null;
  ok: boolean;
  latencyMs: number;
  error: string | null;
  excerpt: string | null;
}

/**
 * A lookup that answers only the addresses already checked (checkTarget): the connection cannot
 * reach an address a second DNS answer would give (DNS rebinding). TLS still verifies the URL's host.
 */
function pinnedLookup(addresses: readonly CheckedAddress[]): LookupFunction {
  return ((_host: string, options: { family?: number; all?: boolean } | number, callback: unknown) => {
    const done = (typeof options === 'function' ? options : callback) as (
      error: Error | null,
      address: string | CheckedAddress[],
      family?: number,
    ) => void;
    const family = typeof options === 'object' ? options.family : typeof options === 'number' ? options : 0;
    const candidates = family ? addresses.filter((a) => a.family === family) : [...addresses];
    if (candidates.length === 0) {
      done(Object.assign(new Error('no checked address of that family'), { code: 'ENOTFOUND' }), '');
      return;
    }
    if (typeof options === 'object' && options.all) done(null, candidates);
    else done(null, candidates[0]!.address, candidates[0]!.family);
  }) as LookupFunction;
}

/**
 * POSTs one delivery: no redirect followed (a 3xx is a failure like any non-2xx), no retry here
 * (the deliverer retries with backoff), one timeout for the whole exchange, and at most
 * EXCERPT_BYTES of the answer read before the connection is dropped.
 */
export function postWebhook(
  url: string,
  addresses: readonly CheckedAddress[],
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<SendResult> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    let statusCode: number | null = null;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: string | null) => {
      if (settled) return;
      settled = true;
      stream.destroy();
      const excerpt =
        size > 0
          ? Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8').replaceAll('\0', '')
          : null;
      const ok = error === null && statusCode !== null && statusCode >= 200 && statusCode < 300;
      resolve({
        statusCode,
        ok,
        latencyMs: latency(),
        error: error ?? (ok ? null : `HTTP ${statusCode}`),
        excerpt,
      });
    };
    const stream = got.stream.post(url, {
      body,
      headers: { ...headers, 'user-agent': 'whatsapp-hub-webhooks' },
      followRedirect: false,
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: { request: timeoutMs },
      dnsLookup: pinnedLookup(addresses),
    });
    stream.on('response', (response: { statusCode: number }) => {
      statusCode = response.statusCode;
    });
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= EXCERPT_BYTES) finish(null);
    });
    stream.on('end', () => finish(null));
    stream.on('error', (error: Error & { code?: string }) => {
      // An HTTP status already came: the answer's body was cut short, which does not change it.
      finish(statusCode === null ? `${error.code ?? error.name}: ${error.message}` : null);
    });
  });
}
