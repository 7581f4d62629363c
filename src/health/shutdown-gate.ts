import { type IncomingMessage, type ServerResponse } from 'node:http';
import { Global, Injectable, Module } from '@nestjs/common';
import { ErrorCode, httpStatusOf } from '../common/domain-error.js';
import { withTimeout } from '../common/with-timeout.js';
import { Metrics } from '../observability/metrics.js';
import {
  INTERNAL_GRAPHQL_PATH,
  PROBE_HEADER,
  PUBLIC_GRAPHQL_PATH,
  WEBHOOK_PATH,
} from '../config/http-surface.js';

/** How long a stopping replica waits for the requests it took before it closes anyway. */
export const DRAIN_TIMEOUT_MS = 25_000;
/** What a refused client is told: retry at once, the load balancer sends it to a replica that stays. */
const RETRY_AFTER_SECONDS = 1;
const MESSAGE =
  'This replica is shutting down and takes no new requests; retry (another replica will answer)';

type Kind = 'graphql' | 'webhook' | 'other';

/**
 * Whether this replica takes new work, and the requests it has taken.
 *
 * On a stop (SIGTERM), `stop()` turns readiness down at once and every new request is refused
 * with a retryable 503 SHUTTING_DOWN (`Retry-After`), before any of its work starts; the
 * requests already taken run to completion, and their answers close their connections, so
 * clients reconnect to a replica that stays. Only then does the listener close (bootstrap.ts).
 *
 * Still served while stopping: health and metrics (liveness must hold while draining), n8n's
 * internal API (its write-backs report work this replica or another already accepted, and a
 * workflow does not retry one), and this service's own webhook probe (a create taken before
 * the stop proves its webhook URL, which may be this very replica).
 */
@Injectable()
export class ShutdownGate {
  private stopping = false;
  private readonly taken = new Set<ServerResponse>();
  private waiters: (() => void)[] = [];

  constructor(private readonly metrics: Metrics) {}

  /** False from the stop on: what readiness reports. */
  get accepting(): boolean {
    return !this.stopping;
  }

  /** Requests taken and not yet answered. */
  get inFlight(): number {
    return this.taken.size;
  }

  /** The first middleware of the app: refuses new work while stopping, counts the work taken. */
  readonly middleware = (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/metrics' || path.startsWith('/health')) return next();
    if (this.stopping && !servedWhileStopping(req, path)) return this.refuse(res, kindOf(path));
    this.taken.add(res);
    if (this.stopping) res.setHeader('connection', 'close');
    res.once('close', () => {
      this.taken.delete(res);
      if (this.taken.size === 0) this.wake();
    });
    next();
  };

  /** Stops taking work. Idempotent. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    for (const res of this.taken) if (!res.headersSent) res.setHeader('connection', 'close');
  }

  /** Resolves true once every request taken has been answered, false if some still run after `ms`. */
  async drained(ms: number): Promise<boolean> {
    if (this.taken.size === 0) return true;
    const answered = new Promise<true>((resolve) => this.waiters.push(() => resolve(true)));
    return withTimeout(answered, ms).catch(() => false);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private refuse(res: ServerResponse, kind: Kind): void {
    this.metrics.shutdownRefusals.inc({ kind });
    const code = ErrorCode.SHUTTING_DOWN;
    // GraphQL's error shape on GraphQL, the webhook's (and every other route's) elsewhere.
    const body =
      kind === 'graphql'
        ? { errors: [{ message: MESSAGE, extensions: { code } }] }
        : { error: { code, message: MESSAGE } };
    res.writeHead(httpStatusOf(code), {
      'content-type': 'application/json; charset=utf-8',
      'retry-after': String(RETRY_AFTER_SECONDS),
      connection: 'close',
    });
    res.end(JSON.stringify(body));
  }
}

function kindOf(path: string): Kind {
  if (path === PUBLIC_GRAPHQL_PATH || path === INTERNAL_GRAPHQL_PATH) return 'graphql';
  return path === `/${WEBHOOK_PATH}` ? 'webhook' : 'other';
}

function servedWhileStopping(req: IncomingMessage, path: string): boolean {
  if (path === INTERNAL_GRAPHQL_PATH) return true;
  return path === `/${WEBHOOK_PATH}` && req.headers[PROBE_HEADER] !== undefined;
}

@Global()
@Module({ providers: [ShutdownGate], exports: [ShutdownGate] })
export class ShutdownModule {}
