import { once } from 'node:events';
import {
  Global,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';

/**
 * One Redis connection per replica for plain commands (rate limits, health pings), apart
 * from the pub/sub connections. Connected at start; commands fail fast rather than queue
 * while Redis is away, so callers can decide to fail open.
 */
@Injectable()
export class RedisCommands implements OnModuleInit, OnApplicationShutdown {
  private client: Redis | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit(): void {
    if (this.enabled) void this.redis;
  }

  get enabled(): boolean {
    return this.config.redisUrl !== undefined;
  }

  get redis(): Redis {
    if (!this.config.redisUrl) throw new Error('REDIS_URL is not set');
    this.client ??= new Redis(this.config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    return this.client;
  }

  async ping(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const redis = this.redis;
      const answer = await Promise.race([
        // Commands do not queue while disconnected: wait for the connection, within the timeout.
        (redis.status === 'ready' ? Promise.resolve() : once(redis, 'ready')).then(() => redis.ping()),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        }),
      ]);
      return answer === 'PONG';
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  onApplicationShutdown(): void {
    this.client?.disconnect();
  }
}

@Global()
@Module({ providers: [RedisCommands], exports: [RedisCommands] })
export class RedisCommandsModule {}
