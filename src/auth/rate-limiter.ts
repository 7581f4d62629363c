import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { RedisCommands } from '../common/redis-commands.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { Metrics } from '../observability/metrics.js';

const WINDOW_MS = 60_000;

/**
 * Per-tenant request limit over fixed one-minute windows: in Redis when REDIS_URL is set
 * (so the limit holds across replicas), in memory otherwise. It fails open: if Redis is
 * unreachable, requests go through (and the error is logged) rather than every tenant
 * being locked out.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);
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
    if (this.redis.enabled) {
      try {
        const redis = this.redis.redis;
        const key = `ratelimit:${tenantId}:${window}`;
        const [[, count]] = (await redis
          .multi()
          .incr(key)
          .pexpire(key, WINDOW_MS * 2)
          .exec()) as [[null, number]];
        return count;
      } catch (error) {
        this.logger.warn(`Rate limit not enforced: Redis unavailable (${(error as Error).message})`);
        return 0;
      }
    }
    const entry = this.local.get(tenantId);
    if (!entry || entry.window !== window) {
      this.local.set(tenantId, { window, count: 1 });
      return 1;
    }
    entry.count += 1;
    return entry.count;
  }
}
