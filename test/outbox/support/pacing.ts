import { expect } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { type CommandPayloads, type CommandType } from '../../../src/outbox/commands.js';
import { OutboxService } from '../../../src/outbox/outbox.service.js';
import { sql, type TestApp } from '../../support/app.js';
import { type FakeN8n, type ReceivedCommand } from '../../support/fake-n8n.js';

/** What the pacing specs share: the env of a replica that delivers to the fake n8n, and reading the outcome. */

/** Pacing at `intervalMs` with no jitter and no warm-up unless `extra` says otherwise. */
export function pacing(intervalMs: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SEND_PACING_INTERVAL_MS: String(intervalMs),
    SEND_PACING_JITTER_MS: '0',
    SEND_PACING_WARMUP: 'none',
    ...extra,
  };
}

/** A replica that delivers the outbox to `n8n`, polling often, as the outbox spec's replicas do. */
export function dispatching(n8n: FakeN8n, extra: Record<string, string> = {}): Record<string, string> {
  return {
    N8N_BASE_URL: n8n.url,
    N8N_WEBHOOK_SECRET: 'secret-that-n8n-checks',
    OUTBOX_DISPATCH: 'true',
    OUTBOX_POLL_INTERVAL_MS: '25',
    OUTBOX_BASE_BACKOFF_MS: '100',
    OUTBOX_MAX_BACKOFF_MS: '2000',
    CREATE_QR_WAIT_MS: '0',
    ...extra,
  };
}

/** What the fake n8n received of one session's commands (of `type`, when given), in order of arrival. */
export function arrivalsOf(n8n: FakeN8n, sessionId: string, type?: CommandType): ReceivedCommand[] {
  return n8n.received.filter((r) => r.body.sessionId === sessionId && (!type || r.body.type === type));
}

/**
 * Asserts each arrival came at least `gapMs` after the one before. A lower bound only: the
 * pace is measured from the end of an attempt, which is after n8n received it, so this holds
 * however slow the machine is; an upper bound would not.
 */
export function expectSpacedAtLeast(arrivals: ReceivedCommand[], gapMs: number): void {
  const gaps = arrivals.slice(1).map((r, i) => r.at - arrivals[i]!.at);
  expect(gaps.filter((gap) => gap < gapMs)).toEqual([]);
}

/** The pace each session last set, in ms (next_send_at - last_send_at: the gap itself, exactly). */
export async function paceGaps(t: TestApp): Promise<Record<string, number>> {
  const rows = await sql<{ session_id: string; gap_ms: number }>(
    t,
    `select session_id, round(extract(epoch from next_send_at - last_send_at) * 1000)::int as gap_ms from send_pacing`,
  );
  return Object.fromEntries(rows.map((row) => [row.session_id, row.gap_ms]));
}

/** Writes a command straight into the outbox, as a domain service does, and wakes the dispatcher. */
export async function enqueue<T extends CommandType>(
  t: TestApp,
  type: T,
  target: { tenantId: string; sessionId: string },
  payload: CommandPayloads[T],
): Promise<string> {
  const em = t.app.get(MikroORM).em.fork();
  const outbox = t.app.get(OutboxService);
  const command = outbox.enqueue(em, type, target, payload);
  await em.flush();
  outbox.notifyCommitted();
  return command.id;
}

export const sendPayload = (text: string): CommandPayloads['message.send'] => ({
  messageId: `msg-${text.replace(/\W/g, '-')}`,
  chatId: '4917000000900@c.us',
  phoneNumber: null,
  text,
  replyTo: null,
  media: null,
});

/** One sample of `/metrics` (0 when the series is not there). */
export async function metric(t: TestApp, series: string): Promise<number> {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
