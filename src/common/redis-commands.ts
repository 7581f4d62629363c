import { once } from 'node:events';
import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { Metrics } from '../observability/metrics.js';
import { withTimeout } from './with-timeout.js';

/**
 * How long a Redis call on a request's path may wait. ioredis fails fast only while it is
 * disconnected; a Redis that is connected but silent (stopped process, network partition)
 * would otherwise hold every request until the OS gives up on the socket.
 */
export const REDIS_COMMAND_TIMEOUT_MS = 1000;
/** While Redis is away, how often it is pinged to notice it is back. */
const RECOVERY_PING_MS = 1000;

/** What a caller does instead when Redis does not answer; the label of the fallback metric. */
export type RedisFallback = 'rate_limit' | 'publish' | 'subscribe';

/**
 * One Redis connection per replica for plain commands (rate limits, health pings), apart
 * from the pub/sub connections, and the replica's one view of whether Redis answers.
 *
 * Once a call goes unanswered (or fails), Redis is taken as away: callers fall back at once
 * instead of each waiting for the timeout, a ping every second notices when it is back, and
 * each transition is logged once (`whatsapp_hub_redis_available` shows the state).
 */
@Injectable()
export class RedisCommands implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private client: Redis | undefined;
  private up = true;
  private recovery: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    if (!this.enabled) return;
    void this.redis;
    this.metrics.gauge(
      'whatsapp_hub_redis_available',
      '1 while Redis answers; 0 while this replica falls back (per-replica rate limit, live events dropped)',
      [],
      async (set) => set({}, this.up ? 1 : 0),
    );
  }

  get enabled(): boolean {
    return this.config.redisUrl !== undefined;
  }

  /** False from a call Redis did not answer until a ping is answered again (always true without Redis). */
  get available(): boolean {
    return this.up;
  }

  get redis(): Redis {
    if (!this.config.redisUrl) throw new Error('REDIS_URL is not set');
    this.client ??= new Redis(this.config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    });
    return this.client;
  }

  /**
   * `command` on this connection, or `fallback()` when Redis is away or does not answer within
   * REDIS_COMMAND_TIMEOUT_MS. Never throws for Redis's sake; every fallback is counted.
   */
  async orFallback<T>(
    operation: RedisFallback,
    command: (redis: Redis) => Promise<T>,
    fallback: () => T,
  ): Promise<T> {
    if (this.up) {
      try {
        return await withTimeout(command(this.redis), REDIS_COMMAND_TIMEOUT_MS);
      } catch (error) {
        this.reportFailure(error);
      }
    }
    this.fellBack(operation);
    return fallback();
  }

  /** Counts a fallback taken by a caller that used another connection (pub/sub). */
  fellBack(operation: RedisFallback): void {
    this.metrics.redisFallbacks.inc({ operation });
  }

  /** Redis did not answer (any connection of this replica): fall back until a ping is answered. */
  reportFailure(error: unknown): void {
    if (!this.up || this.closed) return;
    this.up = false;
    this.logger.warn(
      `Redis is not answering (${error instanceof Error ? error.message : String(error)}): rate limits are ` +
        'kept per replica and live events are dropped until it answers again',
    );
    this.scheduleRecoveryPing();
  }

  /** Whether Redis answers a PING within `timeoutMs` (waiting for a connection within it too). */
  async ping(timeoutMs: number): Promise<boolean> {
    try {
      const redis = this.redis;
      // Commands do not queue while disconnected: wait for the connection, within the timeout.
      const answer = await withTimeout(
        (redis.status === 'ready' ? Promise.resolve() : once(redis, 'ready')).then(() => redis.ping()),
        timeoutMs,
      );
      return answer === 'PONG';
    } catch {
      return false;
    }
  }

  onApplicationShutdown(): void {
    this.closed = true;
    clearTimeout(this.recovery);
    this.client?.disconnect();
  }

  private scheduleRecoveryPing(): void {
    this.recovery = setTimeout(() => {
      void this.ping(REDIS_COMMAND_TIMEOUT_MS).then((answered) => {
        if (this.closed) return;
        if (!answered) return this.scheduleRecoveryPing();
        this.up = true;
        this.logger.log('Redis answers again: rate limits and live events go through it');
      });
    }, RECOVERY_PING_MS);
    this.recovery.unref();
  }
}

@Global()
@Module({ providers: [RedisCommands], exports: [RedisCommands] })
export class RedisCommandsModule {}
