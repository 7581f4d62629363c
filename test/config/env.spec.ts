import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseEnv } from '../../src/config/env.js';

describe('parseEnv', () => {
  it('has defaults that work on a developer machine with local PostgreSQL', () => {
    const config = parseEnv({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      host: '127.0.0.1',
      port: 3000,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/whatsapp_hub',
      migrationsRun: true,
      redisUrl: undefined,
      graphql: { playground: true, introspection: true },
    });
    expect(config.webhooks.publicUrl).toBe('http://127.0.0.1:3000/webhooks/waha');
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      parseEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x/y', MIGRATIONS_RUN: 'maybe', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'PORT must be an integer from 0 to 65535, got "eighty"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'DATABASE_URL must be a postgres: or postgresql: URL, got mysql:',
      'MIGRATIONS_RUN must be true or false, got "maybe"',
    ]);
  });

  it('requires real secrets in production and turns the playground off', () => {
    expect(() => parseEnv({ NODE_ENV: 'production' })).toThrow(
      /JWT_SECRET is required in production[\s\S]*INTERNAL_API_KEY is required in production[\s\S]*N8N_WEBHOOK_SECRET is required in production[\s\S]*WAHA_API_KEY is required in production/,
    );
    const config = parseEnv({
      NODE_ENV: 'production',
      JWT_SECRET: 'a'.repeat(40),
      INTERNAL_API_KEY: 'b'.repeat(30),
      N8N_WEBHOOK_SECRET: 'c'.repeat(20),
      WAHA_API_KEY: 'd'.repeat(20),
    });
    expect(config.graphql).toMatchObject({ playground: false, introspection: false });
  });

  it('refuses a short JWT secret', () => {
    expect(() => parseEnv({ JWT_SECRET: 'short' })).toThrow('JWT_SECRET must be at least 32 characters');
  });

  it('does not echo a database password in its message', () => {
    expect(() => parseEnv({ DATABASE_URL: 'postgres://u:hunter2@' })).not.toThrow(/hunter2/);
  });
});
