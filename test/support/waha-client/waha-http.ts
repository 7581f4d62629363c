import got, { type Got, type Method } from 'got';

import { DomainError } from '../../../src/common/domain-error.js';
import { toWahaError } from './waha.errors.js';

export interface WahaClientOptions {
  /** WAHA's base URL, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Sent as `X-Api-Key` on every call. */
  apiKey?: string;
  /** Whole-request timeout per attempt (got has none by default). Default 10 s. */
  timeoutMs?: number;
  /** Retries for calls that are safe to repeat (reads and idempotent session calls). Default 2. */
  retries?: number;
  /** First retry delay, doubled per retry, capped at 2 s. Default 200 ms. */
  retryDelayMs?: number;
}

export interface CallOptions {
  operation: string;
  method: Method;
  path: string;
  session?: string;
  json?: unknown;
  searchParams?: URLSearchParams;
  /** Only calls that change nothing when repeated may be retried. */
  idempotent: boolean;
  accept?: string;
}

/** Status codes worth a retry on an idempotent call: WAHA restarting or overloaded. */
const RETRY_STATUS_CODES = [429, 500, 502, 503, 504];

/**
 * The HTTP side of WahaClient, shared by its areas (sessions, auth, messages, chats,
 * server): one got instance, retries decided per call, every failure a DomainError (see
 * waha.errors.ts).
 */
export class WahaHttp {
  private readonly http: Got;
  private readonly retries: number;
  private readonly retryDelayMs: number;

  constructor(options: WahaClientOptions) {
    if (!options.baseUrl) throw DomainError.badInput('baseUrl', 'WAHA baseUrl is required');
    this.retries = options.retries ?? 2;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    const headers: Record<string, string> = {};
    if (options.apiKey) headers['x-api-key'] = options.apiKey;
    this.http = got.extend({
      prefixUrl: options.baseUrl.replace(/\/+$/, ''),
      headers,
      timeout: { request: options.timeoutMs ?? 10_000 },
      throwHttpErrors: true,
      followRedirect: false,
    });
  }

  async call<T>(options: CallOptions): Promise<T> {
    const headers: Record<string, string> = { accept: options.accept ?? 'application/json' };
    try {
      const response = await this.http(options.path, {
        method: options.method,
        headers,
        ...(options.json !== undefined ? { json: options.json } : {}),
        ...(options.searchParams ? { searchParams: options.searchParams } : {}),
        retry: this.retryOptions(options.method, options.idempotent),
        responseType: 'text',
      });
      // WAHA answers some calls (delete, typing, me before linking) with an empty body.
      if (response.body.length === 0) return undefined as T;
      return JSON.parse(response.body) as T;
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new DomainError(
          'UPSTREAM_UNAVAILABLE',
          `WAHA answered unreadable JSON on ${options.operation}`,
          {
            details: { operation: options.operation, wahaError: error.message },
            cause: error,
          },
        );
      }
      throw toWahaError(error, options);
    }
  }

  /** A GET whose answer is bytes (e.g. a PNG), retried like any idempotent read. */
  async bytes(
    options: Pick<CallOptions, 'operation' | 'path' | 'session' | 'searchParams' | 'accept'>,
  ): Promise<Buffer> {
    try {
      const bytes = await this.http(options.path, {
        method: 'GET',
        ...(options.searchParams ? { searchParams: options.searchParams } : {}),
        headers: { accept: options.accept ?? 'application/octet-stream' },
        retry: this.retryOptions('GET', true),
        responseType: 'buffer',
      }).buffer();
      return Buffer.from(bytes);
    } catch (error) {
      throw toWahaError(error, options);
    }
  }

  private retryOptions(method: Method, idempotent: boolean) {
    const base = this.retryDelayMs;
    return {
      limit: idempotent ? this.retries : 0,
      methods: [method],
      statusCodes: RETRY_STATUS_CODES,
      calculateDelay: ({ attemptCount, computedValue }: { attemptCount: number; computedValue: number }) =>
        computedValue === 0 ? 0 : Math.min(base * 2 ** (attemptCount - 1), 2_000),
    };
  }
}
