import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { configVariables, parseEnv } from '../../src/config/env.js';

interface ComposeService {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown };
  ports?: string[];
}

/** docker-compose.yml is for users' machines: no Docker here, so it is checked by reading it. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
    services: Record<string, ComposeService>;
  };
  const hub = compose.services['whatsapp-hub']!;

  it('runs the service with PostgreSQL and Redis, waiting for them to be healthy', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'redis', 'whatsapp-hub']),
    );
    expect(hub.depends_on).toMatchObject({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    for (const name of ['postgres', 'redis']) expect(compose.services[name]!.healthcheck).toBeDefined();
  });

  it('gives the service a configuration its own parseEnv accepts in production', () => {
    // Compose substitutes ${VAR:-default} and ${VAR:?error}; resolve them as a user's .env would.
    const userEnv: Record<string, string> = {
      JWT_SECRET: 'j'.repeat(40),
      INTERNAL_API_KEY: 'k'.repeat(30),
      N8N_WEBHOOK_SECRET: 'n'.repeat(20),
      WAHA_API_KEY: 'w'.repeat(20),
    };
    const env = Object.fromEntries(
      Object.entries(hub.environment!).map(([key, value]) => [
        key,
        String(value).replace(
          /\$\{(\w+)(?::[-?]([^}]*))?\}/g,
          (_m, name: string, fallback?: string) => userEnv[name] ?? fallback ?? '',
        ),
      ]),
    );
    const config = parseEnv(env);
    expect(config.nodeEnv).toBe('production');
    expect(new URL(config.databaseUrl).hostname).toBe('postgres');
    expect(new URL(config.redisUrl!).hostname).toBe('redis');
    expect(hub.ports).toEqual([`\${WHATSAPP_HUB_PORT:-3000}:${config.port}`]);
  });

  it('names only variables the service reads', () => {
    const known = new Set(configVariables());
    const unknown = Object.keys(hub.environment!).filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });
});
