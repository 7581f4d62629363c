import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { Metrics } from '../observability/metrics.js';
import { CommandType } from './commands.js';
import { pendingHeadsCte } from './outbox-heads.js';

/**
 * The commands that make WhatsApp send something in the session's name: only these are paced.
 * The rest (session.*, chats.sync, lookups) never wait for the pace, though they keep their
 * place in the session's queue.
 */
export const PACED_COMMAND_TYPES: readonly CommandType[] = [
  CommandType.MESSAGE_SEND,
  CommandType.MESSAGE_REACT,
];

/** The paced types as an SQL list; constants of this file, never input. */
const PACED_SQL = PACED_COMMAND_TYPES.map((type) => `'${type}'`).join(', ');

export interface PacingQueue {
  /** Sessions with at least one paced send waiting. */
  sessions: number;
  /** Paced sends waiting, all sessions together. */
  sends: number;
  /** The most paced sends waiting in one session. */
  longest: number;
  /** Sessions whose next send is held by their pace right now. */
  held: number;
}

/** How long scrape-time gauges reuse one read of the queue: one scrape reads it once. */
const QUEUE_READ_TTL_MS = 1000;

/**
 * Per-session send pacing (SEND_PACING_*), kept in `send_pacing` so every replica holds one
 * pace per session. How it is applied, in the dispatcher's statements:
 * - a paced command is claimed only once its session's `next_send_at` has passed;
 * - each attempt of a paced command (delivered or failed: a failed one may still have reached
 *   WhatsApp, say after n8n timed out) sets `next_send_at` to the end of the attempt plus one
 *   gap, in the same statement that records the outcome, so a replica that sees the attempt
 *   finished sees its pace too. The gap is counted from now, never added to the one before, so
 *   a retry neither resets nor doubles it: the retry waits for its backoff or the pace,
 *   whichever ends later.
 * The gap is SEND_PACING_INTERVAL_MS times the warm-up factor of the day since the session's
 * account was linked (`whatsapp_sessions.linked_at`; no date counts as day 0), plus a random
 * 0..SEND_PACING_JITTER_MS.
 */
@Injectable()
export class SendPacer implements OnModuleInit {
  private queueRead: { at: number; queue: Promise<PacingQueue> } | undefined;

  constructor(
    private readonly em: EntityManager,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  get enabled(): boolean {
    return this.config.sending.pacing.intervalMs > 0;
  }

  isPaced(type: CommandType, sessionId: string | null): boolean {
    return this.enabled && sessionId !== null && PACED_COMMAND_TYPES.includes(type);
  }

  /** The claim's condition on command `o`: a paced command waits for its session's pace. */
  claimCondition(alias: string): string {
    if (!this.enabled) return '';
    return `and not (${alias}.type in (${PACED_SQL}) and exists (
                select 1 from send_pacing sp where sp.session_id = ${alias}.session_id and sp.next_send_at > now()))`;
  }

  /**
   * For the claim's RETURNING on command `c`: how long, in seconds, the pace held it after it was
   * otherwise ready (created, its retry backoff over, and the session's previous paced send
   * done); negative or null when the pace held nothing.
   */
  pacedForSql(alias: string): string {
    if (!this.enabled) return 'null::float8';
    return `(select extract(epoch from sp.next_send_at - greatest(${alias}.created_at, ${alias}.next_attempt_at, sp.last_send_at))::float8
               from send_pacing sp where sp.session_id = ${alias}.session_id)`;
  }

  /** Records that the claim held a paced send `seconds` (null: no pace recorded yet). */
  observeDelay(seconds: number | null): void {
    this.metrics.sendPacingDelay.observe(Math.max(0, seconds ?? 0));
  }

  /**
   * Wraps the statement that records a paced attempt's outcome (an UPDATE of one
   * outbox_commands row, without RETURNING) so that the same statement sets the session's pace.
   */
  withPace(update: string, params: unknown[]): { sql: string; params: unknown[] } {
    const { intervalMs, jitterMs, warmupFactors } = this.config.sending.pacing;
    const jitter = Math.floor(Math.random() * (jitterMs + 1));
    // Day n since linking is factor n (1-based in SQL); past the last factor, or no factors, 1.
    const factor = `coalesce((?::float8[])[greatest(0, floor(extract(epoch from now() - coalesce(
          (select s.linked_at from whatsapp_sessions s where s.id = a.session_id), now())) / 86400))::int + 1], 1)`;
    return {
      sql: `with attempt as (${update} returning session_id)
            insert into send_pacing (session_id, next_send_at, last_send_at)
            select a.session_id, now() + make_interval(secs => (round(?::float8 * ${factor}) + ?) / 1000.0), now()
              from attempt a
            on conflict (session_id) do update
              set next_send_at = excluded.next_send_at, last_send_at = excluded.last_send_at`,
      params: [...params, intervalMs, `{${warmupFactors.join(',')}}`, jitter],
    };
  }

  /**
   * In how many ms the earliest paced send held only by its pace becomes due (null: none is),
   * so an idle dispatcher sleeps until then rather than a whole poll interval. It considers only
   * what the claim would take but for the pace (a session's oldest pending command, its backoff
   * over, not leased), and does not ask whether the pace is still ahead: a pace that ran out
   * between the claim and this read answers 0 (claim again now) instead of being missed until
   * the next poll, and nothing it counts can keep the loop spinning.
   */
  async nextDueInMs(): Promise<number | null> {
    if (!this.enabled) return null;
    const [row] = (await this.em.getConnection().execute(
      `with recursive ${pendingHeadsCte(0)}
       select ceil(extract(epoch from min(sp.next_send_at) - now()) * 1000)::int as ms
         from outbox_commands o
         join send_pacing sp on sp.session_id = o.session_id
        where o.id in (select id from candidates)
          and o.status = 'PENDING' and o.type in (${PACED_SQL}) and o.next_attempt_at <= now()
          and (o.locked_until is null or o.locked_until < now())`,
    )) as { ms: number | null }[];
    return row?.ms ?? null;
  }

  /** The paced sends waiting, summed over sessions: an operator's view that names none. */
  queue(): Promise<PacingQueue> {
    const now = Date.now();
    if (!this.queueRead || now - this.queueRead.at > QUEUE_READ_TTL_MS) {
      const queue = this.readQueue();
      this.queueRead = { at: now, queue };
      // A failed read is not kept: the next scrape tries again.
      queue.catch(() => {
        if (this.queueRead?.queue === queue) this.queueRead = undefined;
      });
    }
    return this.queueRead.queue;
  }

  onModuleInit(): void {
    const gauges: [string, string, keyof PacingQueue][] = [
      [
        'whatsapp_hub_send_pacing_sessions',
        'Sessions with paced sends (message.send, message.react) waiting for n8n',
        'sessions',
      ],
      ['whatsapp_hub_send_pacing_queued', 'Paced sends waiting for n8n, all sessions together', 'sends'],
      ['whatsapp_hub_send_pacing_longest_queue', 'The most paced sends waiting in one session', 'longest'],
      [
        'whatsapp_hub_send_pacing_held_sessions',
        'Sessions whose next send is held by their pace right now',
        'held',
      ],
    ];
    for (const [name, help, key] of gauges) {
      this.metrics.gauge(name, help, [], async (set) => set({}, (await this.queue())[key]));
    }
  }

  private async readQueue(): Promise<PacingQueue> {
    const [row] = (await this.em.getConnection().execute(
      `select count(*)::int as sessions, coalesce(sum(q.n), 0)::int as sends, coalesce(max(q.n), 0)::int as longest,
              count(*) filter (where sp.next_send_at > now())::int as held
         from (select session_id, count(*) as n from outbox_commands
                where status = 'PENDING' and type in (${PACED_SQL}) and session_id is not null
                group by session_id) q
         left join send_pacing sp on sp.session_id = q.session_id`,
    )) as PacingQueue[];
    return row ?? { sessions: 0, sends: 0, longest: 0, held: 0 };
  }
}
