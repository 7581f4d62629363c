import { setTimeout as sleep } from 'node:timers/promises';

export interface EventuallyOptions {
  /**
   * How long to keep trying before failing with the check's last error. A cap for a test that
   * would otherwise hang, never what is tested: generous, so that a busy machine passes. The
   * default stays under jest's 120 s test timeout, so a failure says what was expected rather
   * than "Exceeded timeout".
   */
  timeoutMs?: number;
  /**
   * The pause between two tries. The default keeps a check that calls the public API (1,200
   * requests a minute per tenant by default) under its rate limit.
   */
  intervalMs?: number;
}

export const EVENTUALLY_TIMEOUT_MS = 60_000;

/**
 * Runs `check` until it returns without throwing, and returns what it returned: for effects
 * that arrive asynchronously (webhook deliveries, n8n's write-backs, a subscription going live).
 * The check asserts (`expect(...)`), so that once the deadline has passed the test fails with
 * the last assertion error: what was expected and what was there. An action the check needs
 * repeated (a rename until a list subscription hears one) goes inside the check.
 *
 * A check that returns a boolean is refused at once: `() => rows.length > 0` would pass on its
 * first `false` and say nothing when it never becomes true.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? EVENTUALLY_TIMEOUT_MS);
  for (;;) {
    let value: T;
    try {
      value = await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await sleep(options.intervalMs ?? 50);
      continue;
    }
    if (typeof value === 'boolean')
      throw new TypeError('eventually: the check returned a boolean; assert inside it with expect() instead');
    return value;
  }
}
