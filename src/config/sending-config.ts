import { type Reader } from './env.js';

/**
 * How fast a session's messages leave for n8n (and so for WhatsApp), and how often a session's
 * recent chats are re-read from WAHA to recover events its webhooks never delivered.
 */
export interface SendingConfig {
  pacing: {
    /**
     * Least time between two sends of one session, in ms; 0 turns pacing off (tests, tools).
     * WhatsApp flags numbers that send in machine-regular bursts, so a send waits for it.
     */
    intervalMs: number;
    /** Up to this much more, at random, on each gap: no two gaps alike. */
    jitterMs: number;
    /**
     * Warm-up of a newly linked number: the interval is multiplied by the n-th factor on the
     * n-th day since the session was linked (day 0 first); after the last factor, by 1.
     */
    warmupFactors: number[];
  };
  reconciliation: {
    /** How often each WORKING session is re-read from WAHA, in ms; 0 turns it off (tests, tools). */
    intervalMs: number;
    /** Least time between two reconciliations of one session (the periodic one or on reconnect), in ms. */
    minGapMs: number;
    /** Chats of WAHA's overview re-read per reconciliation, most recent first. */
    chatsLimit: number;
    /** Messages re-read per chat, most recent first. */
    messagesLimit: number;
  };
}

export function readSendingConfig(r: Reader): SendingConfig {
  return {
    pacing: {
      intervalMs: r.int('SEND_PACING_INTERVAL_MS', 2000, 0, 3_600_000),
      jitterMs: r.int('SEND_PACING_JITTER_MS', 1500, 0, 3_600_000),
      warmupFactors: readFactors(r, 'SEND_PACING_WARMUP', '4,3,2,1.5'),
    },
    reconciliation: {
      intervalMs: r.int('RECONCILE_INTERVAL_MS', 900_000, 0, 86_400_000),
      minGapMs: r.int('RECONCILE_MIN_GAP_MS', 60_000, 0, 86_400_000),
      chatsLimit: r.int('RECONCILE_CHATS_LIMIT', 20, 1, 500),
      messagesLimit: r.int('RECONCILE_MESSAGES_LIMIT', 50, 1, 1000),
    },
  };
}

/** A comma-separated list of multipliers, each from 1 to 100 ('' for none). */
function readFactors(r: Reader, name: string, fallback: string): number[] {
  const value = r.raw(name) ?? fallback;
  if (value === 'none') return [];
  const factors = value.split(',').map((part) => Number(part.trim()));
  if (factors.some((f) => !Number.isFinite(f) || f < 1 || f > 100)) {
    r.problems.push(
      `${name} must be comma-separated numbers from 1 to 100 (or none), got ${JSON.stringify(value)}`,
    );
    return [];
  }
  return factors;
}
