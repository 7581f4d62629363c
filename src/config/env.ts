import { type MediaConfig, readMediaConfig } from './media-config.js';
import { type IdentityConfig, readIdentityConfig } from './identity-config.js';
import { readSendingConfig, type SendingConfig } from './sending-config.js';
import { readTenantWebhooksConfig, type TenantWebhooksConfig } from './tenant-webhooks-config.js';

/**
 * The service's whole configuration, parsed once from the environment at start.
 * Pure: `parseEnv(env)` returns a typed config or throws `ConfigError` naming every bad
 * variable, so a misconfigured replica stops at boot instead of failing on first use.
 * Imported by main.ts, mikro-orm.config.ts, the CLIs and the tests.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export type NodeEnv = 'development' | 'production' | 'test';

export interface AppConfig {
  nodeEnv: NodeEnv;
  host: string;
  port: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `json` for log collectors (the default); `pretty`: one short line each, for a person at a terminal. */
  logFormat: 'json' | 'pretty';
  databaseUrl: string;
  /** Apply pending migrations when the service starts. */
  migrationsRun: boolean;
  /** Unset: one process, in-memory pub/sub. Set: pub/sub through Redis across replicas. */
  redisUrl: string | undefined;
  jwt: { secret: string; issuer: string | undefined; audience: string | undefined };
  graphql: {
    playground: boolean;
    introspection: boolean;
    maxDepth: number;
    maxComplexity: number;
    maxBodyBytes: number;
  };
  /** Dashboard requests per tenant per minute, across replicas when Redis is configured; 0 = no limit. */
  rateLimitPerMinute: number;
  internalApi: { key: string; allowedIps: string[] };
  n8n: { baseUrl: string; webhookSecret: string; webhookPathPrefix: string; timeoutMs: number };
  waha: {
    baseUrl: string;
    apiKey: string;
    timeoutMs: number;
    /**
     * WAHA's clock against real time: 1 for a real WAHA. QR and pairing-code expiries are
     * computed on it, so a faster WAHA simulator (WAHA_SIM_TIME_SCALE) needs the same value.
     */
    timeScale: number;
  };
  webhooks: {
    /** The URL WAHA calls to reach this service (what sessions are configured with). */
    publicUrl: string;
    /** Key for WAHA's global webhook (WHATSAPP_HOOK_HMAC_KEY); per-session keys need none. */
    globalHmacKey: string | undefined;
    maxBodyBytes: number;
    /** Prove the public webhook URL with a signed probe before creating a session. */
    probeOnCreate: boolean;
    /**
     * Group commit of webhook messages (MessageBatcher): lanes, i.e. transactions in flight at
     * once (each on a connection of its own, a pipelined pool of this many beside the ORM's, see
     * PreparedStatements.pipelined; a chat always takes the same lane), and the most
     * events one of them commits. 1 event = one commit per event, as before group commit.
     */
    batchLanes: number;
    batchMaxEvents: number;
  };
  outbox: {
    enabled: boolean;
    pollIntervalMs: number;
    maxAttempts: number;
    baseBackoffMs: number;
    maxBackoffMs: number;
  };
  sessions: { createQrWaitMs: number };
  media: MediaConfig;
  sending: SendingConfig;
  identity: IdentityConfig;
  tenantWebhooks: TenantWebhooksConfig;
}

const DEV_JWT_SECRET = 'dev-only-jwt-secret-change-me-0123456789abcdef';
const DEV_INTERNAL_KEY = 'dev-only-internal-key-change-me';
const DEV_N8N_SECRET = 'dev-only-n8n-webhook-secret';
const DEV_WAHA_KEY = 'dev-only-waha-api-key';

type Env = Record<string, string | undefined>;

/** Reads and checks variables, collecting every problem (exported for the per-area readers beside this file). */
export class Reader {
  readonly problems: string[] = [];
  readonly names = new Set<string>();
  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    this.names.add(name);
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback?: string): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) {
      this.problems.push(`${name} is required`);
      return '';
    }
    return value;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return parsed;
  }

  number(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || parsed < min || parsed > max) {
      this.problems.push(`${name} must be a number from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return parsed;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    this.problems.push(`${name} must be true or false, got ${JSON.stringify(value)}`);
    return fallback;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return value as T;
  }

  url(name: string, fallback: string | undefined, protocols: string[]): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) {
      this.problems.push(`${name} is required`);
      return '';
    }
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) {
        this.problems.push(`${name} must be a ${protocols.join(' or ')} URL, got ${parsed.protocol}`);
      }
    } catch {
      this.problems.push(`${name} must be a URL, got ${JSON.stringify(redact(value))}`);
    }
    return value.replace(/\/+$/, '');
  }

  /** A secret: a dev default outside production, required and long enough in production. */
  secret(name: string, devDefault: string, production: boolean, minLength: number): string {
    const value = this.raw(name);
    if (value === undefined) {
      if (production) this.problems.push(`${name} is required in production`);
      return devDefault;
    }
    if (value.length < minLength) this.problems.push(`${name} must be at least ${minLength} characters`);
    if (production && value === devDefault) this.problems.push(`${name} must not be the development default`);
    return value;
  }
}

function redact(value: string): string {
  return value.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

export function parseEnv(env: Env = process.env): AppConfig {
  const r = new Reader(env);
  const config = readConfig(r);
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** Every environment variable the service reads (for docs and the compose check). */
export function configVariables(): string[] {
  const r = new Reader({});
  readConfig(r);
  return [...r.names];
}

function readConfig(r: Reader): AppConfig {
  const nodeEnv = r.oneOf<NodeEnv>('NODE_ENV', ['development', 'production', 'test'], 'development');
  const production = nodeEnv === 'production';
  const port = r.int('PORT', 3000, 0, 65535);
  const playground = r.bool('GRAPHQL_PLAYGROUND', !production);
  const outboxDispatch = r.bool('OUTBOX_DISPATCH', true);
  const jwtSecret = r.secret('JWT_SECRET', DEV_JWT_SECRET, production, 32);

  const config: AppConfig = {
    nodeEnv,
    host: r.string('HOST', '127.0.0.1'),
    port,
    logLevel: r.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    logFormat: r.oneOf('LOG_FORMAT', ['json', 'pretty'], 'json'),
    databaseUrl: r.url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/whatsapp_hub', [
      'postgres:',
      'postgresql:',
    ]),
    migrationsRun: r.bool('MIGRATIONS_RUN', true),
    redisUrl:
      r.optional('REDIS_URL') === undefined
        ? undefined
        : r.url('REDIS_URL', undefined, ['redis:', 'rediss:']),
    jwt: {
      secret: jwtSecret,
      issuer: r.optional('JWT_ISSUER'),
      audience: r.optional('JWT_AUDIENCE'),
    },
    graphql: {
      playground,
      introspection: r.bool('GRAPHQL_INTROSPECTION', playground),
      maxDepth: r.int('GRAPHQL_MAX_DEPTH', 12, 2, 100),
      maxComplexity: r.int('GRAPHQL_MAX_COMPLEXITY', 5000, 10, 1_000_000),
      maxBodyBytes: r.int('GRAPHQL_MAX_BODY_BYTES', 262_144, 1024, 16_777_216),
    },
    rateLimitPerMinute: r.int('RATE_LIMIT_PER_MINUTE', 1200, 0, 1_000_000),
    internalApi: {
      key: r.secret('INTERNAL_API_KEY', DEV_INTERNAL_KEY, production, 24),
      allowedIps: (r.optional('INTERNAL_ALLOWED_IPS') ?? '')
        .split(',')
        .map((ip) => ip.trim())
        .filter(Boolean),
    },
    n8n: {
      baseUrl: r.url('N8N_BASE_URL', 'http://127.0.0.1:5678', ['http:', 'https:']),
      webhookSecret: r.secret('N8N_WEBHOOK_SECRET', DEV_N8N_SECRET, production, 16),
      webhookPathPrefix: r.string('N8N_WEBHOOK_PATH_PREFIX', 'whatsapp-hub').replace(/^\/+|\/+$/g, ''),
      timeoutMs: r.int('N8N_TIMEOUT_MS', 10_000, 100, 300_000),
    },
    waha: {
      baseUrl: r.url('WAHA_URL', 'http://127.0.0.1:3001', ['http:', 'https:']),
      apiKey: r.secret('WAHA_API_KEY', DEV_WAHA_KEY, production, 8),
      timeoutMs: r.int('WAHA_TIMEOUT_MS', 10_000, 100, 300_000),
      timeScale: r.number('WAHA_TIME_SCALE', 1, 0.001, 1000),
    },
    webhooks: {
      publicUrl: r.url('PUBLIC_WEBHOOK_URL', `http://127.0.0.1:${port}/webhooks/waha`, ['http:', 'https:']),
      globalHmacKey: r.optional('WEBHOOK_GLOBAL_HMAC_KEY'),
      maxBodyBytes: r.int('WEBHOOK_MAX_BODY_BYTES', 1_048_576, 1024, 67_108_864),
      probeOnCreate: r.bool('WEBHOOK_PROBE_ON_CREATE', true),
      batchLanes: r.int('WEBHOOK_BATCH_LANES', 3, 1, 8),
      batchMaxEvents: r.int('WEBHOOK_BATCH_MAX_EVENTS', 64, 1, 1000),
    },
    outbox: {
      /** Off only for tools and tests that must not deliver; a replica that serves users delivers. */
      enabled: outboxDispatch,
      pollIntervalMs: r.int('OUTBOX_POLL_INTERVAL_MS', 1000, 10, 60_000),
      maxAttempts: r.int('OUTBOX_MAX_ATTEMPTS', 25, 1, 1000),
      baseBackoffMs: r.int('OUTBOX_BASE_BACKOFF_MS', 500, 1, 600_000),
      maxBackoffMs: r.int('OUTBOX_MAX_BACKOFF_MS', 60_000, 1, 3_600_000),
    },
    sessions: {
      // Without dispatch (tools, tests) this replica sends no command, so no QR comes back to wait for.
      createQrWaitMs: r.int('CREATE_QR_WAIT_MS', outboxDispatch ? 20_000 : 0, 0, 120_000),
    },
    media: readMediaConfig(r, jwtSecret),
    sending: readSendingConfig(r),
    identity: readIdentityConfig(r, r.optional('JWT_ISSUER'), r.optional('JWT_AUDIENCE')),
    tenantWebhooks: readTenantWebhooksConfig(r),
  };
  return config;
}
