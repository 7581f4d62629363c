import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { configVariables, parseEnv } from '../../src/config/env.js';

interface ComposeService {
  image?: string;
  command?: string[];
  build?: unknown;
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: unknown; start_period?: string };
  ports?: string[];
  volumes?: string[];
}

/** docker-compose.yml is for users' machines: no Docker here, so it is checked by reading it. */
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as {
    services: Record<string, ComposeService>;
    volumes: Record<string, unknown>;
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
      MINIO_ROOT_PASSWORD: 'm'.repeat(20),
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
    expect(config.media).toMatchObject({
      store: 's3',
      s3: {
        endpoint: 'http://minio:9000',
        bucket: 'whatsapp-hub-media',
        accessKeyId: 'whatsapp-hub',
        secretAccessKey: 'm'.repeat(20),
        forcePathStyle: true,
      },
      publicBaseUrl: 'http://localhost:3000',
      sendBaseUrl: 'http://whatsapp-hub:3000',
    });
  });

  describe('MinIO, the S3-compatible store of message files', () => {
    const minio = compose.services['minio']!;
    const buckets = compose.services['minio-buckets']!;

    it('runs a pinned MinIO, healthy before its bucket is made, and the bucket before the service starts', () => {
      expect(minio.image).toMatch(/^minio\/minio:RELEASE\.\d{4}-\d{2}-\d{2}T[\d-]+Z$/);
      expect(buckets.image).toMatch(/^minio\/mc:RELEASE\.\d{4}-\d{2}-\d{2}T[\d-]+Z$/);
      expect(minio.healthcheck?.test).toBeDefined();
      expect(minio.volumes).toContain('minio-data:/data');
      expect(Object.keys(compose.volumes)).toContain('minio-data');
      expect(buckets.depends_on).toEqual({ minio: { condition: 'service_healthy' } });
      expect(hub.depends_on).toMatchObject({
        'minio-buckets': { condition: 'service_completed_successfully' },
      });
    });

    it('makes the bucket the service uses, with the credentials the service uses', () => {
      const script = buckets.command!.join(' ');
      expect(script).toContain(
        'mc alias set hub http://minio:9000 "$$MINIO_ROOT_USER" "$$MINIO_ROOT_PASSWORD"',
      );
      expect(script).toContain('mc mb --ignore-existing "hub/$$MEDIA_S3_BUCKET"');
      expect(buckets.environment!['MEDIA_S3_BUCKET']).toBe(hub.environment!['MEDIA_S3_BUCKET']);
      for (const service of [minio, buckets]) {
        expect(service.environment!['MINIO_ROOT_USER']).toBe(hub.environment!['MEDIA_S3_ACCESS_KEY_ID']);
        expect(service.environment!['MINIO_ROOT_PASSWORD']).toBe(
          hub.environment!['MEDIA_S3_SECRET_ACCESS_KEY'],
        );
      }
    });
  });

  it('names only variables the service reads', () => {
    const known = new Set(configVariables());
    const unknown = Object.keys(hub.environment!).filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });

  describe('WAHA and n8n', () => {
    const waha = compose.services['waha']!;
    const n8n = compose.services['n8n']!;
    /** `${VAR:?…}` / `${VAR:-default}` / `${VAR}` → VAR, so two services can be shown to share a secret. */
    const variableOf = (value: string | undefined) => /^\$\{(\w+)(?::[-?][^}]*)?\}$/.exec(String(value))?.[1];

    it('pins both images and waits for both to be healthy before the service starts', () => {
      // A pinned release in the engine family WAHA_IMAGE_FLAVOR picks (WAHA tags <flavor>-<version>).
      expect(waha.image).toMatch(/^devlikeapro\/waha:\$\{WAHA_IMAGE_FLAVOR:-latest\}-\d{4}\.\d+\.\d+$/);
      expect(n8n.image).toBe('n8nio/n8n:2.41.1');
      expect(hub.depends_on).toMatchObject({
        waha: { condition: 'service_healthy' },
        n8n: { condition: 'service_healthy' },
      });
      expect(n8n.depends_on).toMatchObject({ waha: { condition: 'service_healthy' } });
      expect(n8n.depends_on?.['whatsapp-hub']).toBeUndefined();
      for (const service of [waha, n8n]) expect(service.healthcheck?.test).toBeDefined();
      expect(JSON.stringify(waha.healthcheck!.test)).toContain('http://127.0.0.1:3000/ping');
      expect(JSON.stringify(n8n.healthcheck!.test)).toContain('http://127.0.0.1:5678/healthz/readiness');
    });

    it('keeps WAHA sessions and n8n data in volumes', () => {
      expect(waha.volumes).toContain('waha-sessions:/app/.sessions');
      expect(n8n.volumes).toContain('n8n-data:/home/node/.n8n');
      expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['waha-sessions', 'n8n-data']));
    });

    it("gives WAHA the service's API key and a selectable engine", () => {
      expect(variableOf(waha.environment!['WAHA_API_KEY'])).toBe('WAHA_API_KEY');
      expect(variableOf(hub.environment!['WAHA_API_KEY'])).toBe('WAHA_API_KEY');
      expect(waha.environment!['WHATSAPP_DEFAULT_ENGINE']).toBe('${WHATSAPP_DEFAULT_ENGINE:-WEBJS}');
    });

    it('imports and publishes the repo workflows on start, from the n8n folder mounted read-only', () => {
      expect(n8n.volumes).toContain('./n8n:/whatsapp-hub-n8n:ro');
      const script = n8n.entrypoint!.at(-1)!;
      expect(script).toBe('/whatsapp-hub-n8n/docker-entrypoint.sh');
      const local = script.replace('/whatsapp-hub-n8n/', 'n8n/');
      expect(existsSync(local)).toBe(true);
      const text = readFileSync(local, 'utf8');
      for (const step of [
        'n8n import:credentials --input="$SOURCE/credentials.json"',
        'n8n import:workflow --separate --input="$SOURCE/workflows"',
        'n8n publish:workflow --id="$id"',
        'exec n8n start',
      ])
        expect(text).toContain(step);
      expect(statSync(local).mode & 0o111).not.toBe(0);
      expect(readdirSync('n8n/workflows').filter((name) => name.endsWith('.json')).length).toBeGreaterThan(0);
    });

    it("gives n8n what the workflows' credentials and nodes read, matching the service's own settings", () => {
      const env = n8n.environment!;
      const credentials = readFileSync('n8n/credentials.json', 'utf8');
      const workflows = readdirSync('n8n/workflows')
        .map((name) => readFileSync(`n8n/workflows/${name}`, 'utf8'))
        .join('\n');
      const read = new Set(
        [...`${credentials}${workflows}`.matchAll(/\$env\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!),
      );
      expect([...read].sort()).toEqual(
        [
          'N8N_WEBHOOK_SECRET',
          'WAHA_API_KEY',
          'WAHA_URL',
          'WHATSAPP_HUB_INTERNAL_KEY',
          'WHATSAPP_HUB_INTERNAL_URL',
        ].sort(),
      );
      for (const name of read) expect({ name, set: env[name] !== undefined }).toEqual({ name, set: true });
      expect(env['N8N_BLOCK_ENV_ACCESS_IN_NODE']).toBe('false');
      expect(variableOf(env['N8N_ENCRYPTION_KEY'])).toBe('N8N_ENCRYPTION_KEY');
      // The same secrets on both ends of each hop.
      expect(variableOf(env['N8N_WEBHOOK_SECRET'])).toBe(variableOf(hub.environment!['N8N_WEBHOOK_SECRET']));
      expect(variableOf(env['WHATSAPP_HUB_INTERNAL_KEY'])).toBe(
        variableOf(hub.environment!['INTERNAL_API_KEY']),
      );
      // Each service reaches the others by their compose names and ports.
      expect(env['WAHA_URL']).toBe('http://waha:3000');
      expect(env['WHATSAPP_HUB_INTERNAL_URL']).toBe('http://whatsapp-hub:3000/internal/graphql');
      expect(hub.environment!['N8N_BASE_URL']).toBe('${N8N_BASE_URL:-http://n8n:5678}');
      expect(hub.environment!['WAHA_URL']).toBe('${WAHA_URL:-http://waha:3000}');
      expect(hub.environment!['PUBLIC_WEBHOOK_URL']).toBe(
        '${PUBLIC_WEBHOOK_URL:-http://whatsapp-hub:3000/webhooks/waha}',
      );
    });

    it('runs its entrypoint: import and publish on the first start and after a change, only start otherwise', () => {
      const home = mkdtempSync(join(tmpdir(), 'whatsapp-hub-n8n-entrypoint-'));
      try {
        // A stand-in for the n8n CLI that records its arguments.
        const bin = join(home, 'bin');
        const calls = join(home, 'calls.log');
        spawnSync('mkdir', ['-p', bin]);
        writeFileSync(join(bin, 'n8n'), `#!/bin/sh\necho "$*" >> ${calls}\n`);
        chmodSync(join(bin, 'n8n'), 0o755);
        const run = (source: string) => {
          rmSync(calls, { force: true });
          const result = spawnSync('/bin/sh', ['n8n/docker-entrypoint.sh'], {
            env: { PATH: `${bin}:${process.env['PATH']}`, HOME: home, WHATSAPP_HUB_N8N_DIR: source },
            encoding: 'utf8',
          });
          expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
          return readFileSync(calls, 'utf8').trim().split('\n');
        };
        const ids = readdirSync('n8n/workflows')
          .filter((name) => name.endsWith('.json'))
          .sort()
          .map((name) => (JSON.parse(readFileSync(`n8n/workflows/${name}`, 'utf8')) as { id: string }).id);

        expect(run('n8n')).toEqual([
          'import:credentials --input=n8n/credentials.json',
          'import:workflow --separate --input=n8n/workflows',
          ...ids.map((id) => `publish:workflow --id=${id}`),
          'start',
        ]);
        expect(run('n8n')).toEqual(['start']);

        // A changed workflow is imported and published again.
        const changed = join(home, 'n8n');
        spawnSync('mkdir', ['-p', changed]);
        spawnSync('cp', ['-r', 'n8n/workflows', 'n8n/credentials.json', changed]);
        writeFileSync(join(changed, 'workflows', 'extra.json'), JSON.stringify({ id: 'extraWorkflow' }));
        expect(run(changed)).toContain('publish:workflow --id=extraWorkflow');
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });
  });
});
