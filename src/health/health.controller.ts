import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/core';
import {
  HealthCheck,
  HealthCheckService,
  type HealthIndicatorFunction,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { type Response } from 'express';
import got from 'got';
import { PublicAccess } from '../auth/access.decorators.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { OutboxDispatcher } from '../outbox/outbox.dispatcher.js';
import { RedisCommands } from '../common/redis-commands.js';
import { ShutdownGate } from './shutdown-gate.js';
import { withTimeout } from '../common/with-timeout.js';

const PROBE_TIMEOUT_MS = 1500;

async function reachable(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ reachable: boolean; error?: string }> {
  try {
    const response = await got(url, {
      headers,
      timeout: { request: PROBE_TIMEOUT_MS },
      retry: { limit: 0 },
      throwHttpErrors: false,
    });
    return response.statusCode < 500
      ? { reachable: true }
      : { reachable: false, error: `HTTP ${response.statusCode}` };
  } catch (error) {
    return { reachable: false, error: (error as Error).message };
  }
}

/**
 * Liveness: the process answers. Readiness: the replica takes work (not stopping) and
 * PostgreSQL answers, so a replica that cannot or will not serve is taken out of rotation; a
 * stopping replica stays live while it drains. Redis does not decide readiness: every replica
 * shares it, and a replica serves without it (per-replica rate limit, no live events), so
 * making it a readiness condition would turn a Redis outage into taking every replica out of
 * rotation. `/health` adds what operators want to see without deciding readiness: Redis, WAHA
 * and n8n reachability and the outbox backlog.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly em: EntityManager,
    private readonly redis: RedisCommands,
    private readonly indicators: HealthIndicatorService,
    private readonly outbox: OutboxDispatcher,
    private readonly gate: ShutdownGate,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @PublicAccess('liveness probe; says nothing about tenants')
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @PublicAccess('readiness probe; says nothing about tenants')
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check(this.readinessChecks());
  }

  @PublicAccess('operator status; counts only, no tenant data')
  @Get()
  async status(@Res() res: Response): Promise<void> {
    const [readiness, redis, waha, n8n, outbox] = await Promise.all([
      this.health
        .check(this.readinessChecks())
        .catch((error: { response?: unknown }) => error.response ?? { status: 'error' }),
      this.redis.enabled
        ? this.redis.ping(PROBE_TIMEOUT_MS).then((reachable) => ({ configured: true, reachable }))
        : { configured: false },
      reachable(`${this.config.waha.baseUrl}/ping`, { 'x-api-key': this.config.waha.apiKey }),
      reachable(`${this.config.n8n.baseUrl}/healthz`),
      this.outbox.stats(),
    ]);
    const ready = (readiness as { status: string }).status === 'ok';
    res.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: ready ? 'ok' : 'error',
      readiness,
      redis,
      waha,
      n8n,
      outbox,
    });
  }

  private readinessChecks() {
    // A real query through the pool the app uses (terminus's MikroORM indicator does not know MikroORM 7).
    const checks: HealthIndicatorFunction[] = [
      () => {
        const indicator = this.indicators.check('accepting');
        return this.gate.accepting
          ? indicator.up()
          : indicator.down({ message: 'This replica is shutting down and takes no new requests' });
      },
      async () => {
        const indicator = this.indicators.check('postgres');
        try {
          await withTimeout(this.em.getConnection().execute('select 1'), PROBE_TIMEOUT_MS);
          return indicator.up();
        } catch (error) {
          return indicator.down({ message: (error as Error).message });
        }
      },
    ];
    return checks;
  }
}
