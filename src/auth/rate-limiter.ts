import { Inject, Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { RedisCommands } from '../common/redis-commands.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { Metrics } from '../observability/metrics.js';

const WINDOW_MS = 60_000;

/**
 * Per-tenant request limit over fixed one-minute windows: in Redis when REDIS_URL is set
 * (so the limit holds across replicas), in memory otherwise. It fails open to memory: if
 * Redis is away or silent, each replica keeps the limit itself rather than every tenant
 * being locked out (or every request waiting on Redis).
 */
@Injectable()
export class RateLimiter {
  private readonly local = new Map<string, { window: number; count: number }>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
    private readonly redis: RedisCommands,
  ) {}

  async consume(tenantId: string): Promise<void> {
    const limit = this.config.rateLimitPerMinute;
    if (limit === 0) return;
    const window = Math.floor(Date.now() / WINDOW_MS);
    const count = await this.count(tenantId, window);
    if (count > limit) {
      this.metrics.rateLimited.inc();
      const retryAfterSeconds = Math.ceil(((window + 1) * WINDOW_MS - Date.now()) / 1000);
      throw new DomainError(
        ErrorCode.RATE_LIMITED,
        `Too many requests for this tenant: at most ${limit} a minute. Try again in ${retryAfterSeconds} s.`,
        { details: { limit, retryAfterSeconds } },
      );
    }
  }

  private async count(tenantId: string, window: number): Promise<number> {
    if (!this.redis.enabled) return this.countLocally(tenantId, window);
    // Fails open, but not unlimited: while Redis does not answer, each replica holds the
    // tenant to the limit on its own (RedisCommands logs the outage and counts the fallbacks).
    return this.redis.orFallback(
      'rate_limit',
      async (redis) => {
        const key = `ratelimit:${tenantId}:${window}`;
        const [[error, count]] = (await redis
          .multi()
          .incr(key)
          .pexpire(key, WINDOW_MS * 2)
          .exec()) as [[Error | null, number]];
        if (error) throw error;
        return count;
      },
      () => this.countLocally(tenantId, window),
    );
  }

  private countLocally(tenantId: string, window: number): number {
    const entry = this.local.get(tenantId);
    if (!entry || entry.window !== window) {
      this.local.set(tenantId, { window, count: 1 });
      return 1;
    }
    entry.count += 1;
    return entry.count;
  }
}
