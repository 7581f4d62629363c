/**
 * The simulator's plain `node:http` plumbing: routes, replies, and the error shapes WAHA (NestJS)
 * answers with.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { SimControlError, WahaHttpError } from './sim-errors.js';

export interface Reply {
  status: number;
  json?: unknown;
  png?: Buffer;
  /** Any other binary answer (a stored media file). */
  file?: { bytes: Buffer; contentType: string };
}

export interface Ctx {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  params: string[];
}

export type Handler = (ctx: Ctx) => Promise<Reply> | Reply;

export interface Route {
  method: string;
  pattern: RegExp;
  operation: string;
  handler: Handler;
  auth: boolean;
}

/** A route of WAHA's API, by the spec's path (`{session}`, `{chatId}`, …); its operation is the spec's key. */
export function wahaRoute(method: string, path: string, handler: Handler, auth = true): Route {
  return {
    method,
    operation: `${method} ${path}`,
    pattern: new RegExp('^' + path.replace(/\{[a-zA-Z]+\}/g, '([^/]+)').replace(/\./g, '\\.') + '/?$'),
    handler,
    auth,
  };
}

export function json(status: number, body: unknown): Reply {
  return { status, json: body };
}

export function errorReply(error: unknown): Reply {
  if (error instanceof WahaHttpError) return { status: error.status, json: error.body };
  if (error instanceof SimControlError) return { status: error.status, json: { error: error.message } };
  if (error instanceof SyntaxError) {
    return { status: 400, json: { message: error.message, error: 'Bad Request', statusCode: 400 } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, json: { statusCode: 500, timestamp: new Date().toISOString(), error: message } };
}

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length ? (JSON.parse(text) as unknown) : undefined;
}

export function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function requireStrings<K extends string>(
  body: unknown,
  keys: K[],
): Record<K, string> & Record<string, unknown> {
  const object = asObject(body);
  const errors = keys.filter((k) => typeof object[k] !== 'string').map((k) => `${k} must be a string`);
  if (errors.length) throw WahaHttpError.badRequest(errors);
  return object as Record<K, string> & Record<string, unknown>;
}

export function apiKeyChecker(
  apiKey: string | undefined,
): (header: unknown, query: string | null) => boolean {
  if (!apiKey) return () => true;
  const hashed = apiKey.startsWith('sha512:') ? apiKey.slice('sha512:'.length).toLowerCase() : null;
  return (header, query) => {
    const presented = typeof header === 'string' ? header : (query ?? '');
    if (!presented) return false;
    const expected = Buffer.from(hashed ?? apiKey);
    const actual = Buffer.from(hashed ? createHash('sha512').update(presented).digest('hex') : presented);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
