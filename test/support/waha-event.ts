/** What WAHA (engine WEBJS) puts around every webhook payload: openapi `WAHAWebhook*`. */
const WEBJS_ENVIRONMENT = {
  version: '2026.7.1',
  engine: 'WEBJS',
  tier: 'PLUS',
  browser: '',
  platform: 'linux/x64',
  worker: { id: null },
};

export interface WahaEventFields {
  id: string;
  timestamp: number;
  event: string;
  session: string;
  metadata?: Record<string, string>;
  me: { id: string; pushName: string };
  payload: Record<string, unknown>;
}

/** A webhook event as WAHA sends it, for tests and benchmarks that play WAHA. */
export function wahaEvent<F extends WahaEventFields>(fields: F) {
  return { ...fields, engine: 'WEBJS' as const, environment: WEBJS_ENVIRONMENT };
}

/**
 * What a webhook message's stored time is (ISO): WAHA's whole `seconds`, with the milliseconds of
 * the event that brought it when that event is of the same second (withEventMilliseconds).
 */
export function inSecondOf(seconds: number): RegExp {
  return new RegExp(`^${new Date(seconds * 1000).toISOString().slice(0, 19)}\\.\\d{3}Z$`);
}
