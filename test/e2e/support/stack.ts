/**
 * The whole system on 127.0.0.1 for end-to-end tests: the WAHA simulator, this service, and ONE
 * real n8n running the committed workflows (n8n/workflows/*.json + n8n/credentials.json). Real
 * HTTP everywhere, nothing mocked:
 *
 *   service ──outbox──▶ n8n webhook ──▶ workflow ──HTTP──▶ WAHA simulator
 *      ▲                                    │
 *      └──── /internal/graphql (write-backs)┘        WAHA sim ──webhooks──▶ service /webhooks/waha
 *
 * Usage (one stack per test file). n8n's start takes 10-40 s; importing and publishing the
 * workflows takes about 45 s more, so that is done once per content of n8n/ into a prepared folder
 * that every stack copies (see importedN8nFolder):
 *
 * ```ts
 * let stack: Stack;
 * beforeAll(async () => { stack = await startStack(); }, 5 * 60_000);
 * afterAll(() => stack?.close(), 60_000);
 *
 * const token = await stack.token('acme');
 * const created = await stack.gql(CREATE, { input: { displayName: 'Shop' } }, token);
 * const qr = await eventually(async () => {
 *   const { data } = await stack.gql<{ whatsappSession: { qr: { value: string } | null } }>(GET, { id }, token);
 *   expect(data?.whatsappSession.qr).toBeTruthy();
 *   return data!.whatsappSession.qr!;
 * }, { timeoutMs: 180_000, intervalMs: 200 });
 * stack.sim.link(id, { id: '4915100000001@c.us', pushName: 'Shop' });
 * ```
 *
 * Order matters: the service listens first (its port is dynamic and n8n's environment names its
 * internal URL), n8n's port is reserved before the service starts (the service's N8N_BASE_URL
 * names it), then n8n is started on that port.
 *
 * `stopN8n()` / `startN8n()` stop and start the same n8n (same folder, no re-import), for
 * "n8n was down" tests. `postCommand()` POSTs an envelope straight to a workflow's webhook, as the
 * outbox dispatcher does, for commands no public mutation issues (session.fetchQr,
 * session.requestCode) or envelopes the service would never send. `sql()` reads the service's own
 * database (outbox rows, removed sessions).
 *
 * Set TEST_LOGS=1 to see the service's warnings and n8n's log lines.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { type CommandEnvelope, type CommandType, commandPath } from '../../../src/outbox/commands.js';
import {
  type N8nInstance,
  pinnedN8nVersion,
  startN8n as startN8nRuntime,
  type StartN8nOptions,
} from '../../tools/devstack/n8n-runtime.js';
import { type SimEngineName } from '../../tools/waha-sim/sim-engine.js';
import { startWahaSimulator, type WahaSimulator } from '../../tools/waha-sim/waha-simulator.js';
import { type GraphqlResult, sql, startTestApp, type TestApp } from '../../support/app.js';
import { freePort } from '../../tools/devstack/process.js';

/** The repo's n8n/ folder: found by walking up, so this module works from test/ and from dist/test/. */
export const REPO_N8N_DIR = ((): string => {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'n8n', 'workflows'))) return join(dir, 'n8n');
    if (dirname(dir) === dir) throw new Error('stack: no n8n/workflows above this module');
  }
})();

/** The committed workflow files, in a stable order. */
export function workflowFiles(): string[] {
  const dir = join(REPO_N8N_DIR, 'workflows');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(dir, name));
}

export interface StackOptions {
  /**
   * WAHA simulator time scale. Default 0.1: STARTING 0.2 s, first QR 6 s, QR window 16 s — long
   * enough for n8n's 1-2 s polling, short enough to see a window end.
   */
  timeScale?: number;
  engine?: SimEngineName;
  /** Extra service environment (applied last). */
  serviceEnv?: Record<string, string>;
  /** Extra n8n environment (applied last). */
  n8nEnv?: Record<string, string>;
}

export interface Stack {
  sim: WahaSimulator;
  app: TestApp;
  n8n: N8nInstance;
  keys: { internalApiKey: string; webhookSecret: string; wahaApiKey: string };
  /** A dashboard token for a user of tenant `slug` (created if missing). */
  token(slug?: string): Promise<string>;
  /** A public GraphQL call as that user. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GraphqlResult<T>>;
  /** Rows of the service's database. */
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  /** POSTs an envelope to its workflow's webhook as the outbox does; returns n8n's status. */
  postCommand(
    envelope: Omit<CommandEnvelope, 'attempt' | 'issuedAt'> & { attempt?: number },
  ): Promise<number>;
  stopN8n(): Promise<void>;
  /** Starts the stopped n8n again on the same folder and port, without importing. */
  startN8n(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An n8n user folder holding the committed credentials and workflows, imported and published.
 * Importing and publishing boots n8n's CLI once per workflow (about 45 s, minutes on a busy
 * machine), so it is done once per content of n8n/ and n8n version, in a folder that each stack
 * copies; the copy keeps the encryption key the credentials were imported with. The first
 * import goes through startN8n() as any other, and that n8n is stopped before the folder is used.
 */
export async function importedN8nFolder(
  options: Pick<StartN8nOptions, 'onLog' | 'onProgress'>,
): Promise<string> {
  const hash = createHash('sha256').update(pinnedN8nVersion());
  const inputs = [join(REPO_N8N_DIR, 'credentials.json'), ...workflowFiles()];
  for (const file of inputs) hash.update('\0').update(file).update('\0').update(readFileSync(file));
  const folder = join(tmpdir(), `whatsapp-hub-n8n-imported-${hash.digest('hex').slice(0, 16)}`);
  if (existsSync(join(folder, READY_MARKER))) return folder;

  const building = mkdtempSync(`${folder}.building-`);
  try {
    const n8n = await startN8nRuntime({
      ...options,
      port: 0,
      userFolder: building,
      credentialsFile: inputs[0]!,
      workflowsFiles: inputs.slice(1),
    });
    await n8n.stop();
    rmSync(join(building, 'n8n.log'), { force: true });
    writeFileSync(join(building, READY_MARKER), `${new Date().toISOString()}\n`);
    try {
      renameSync(building, folder);
    } catch (error) {
      // Another test process finished the same folder first: use theirs.
      if (!existsSync(join(folder, READY_MARKER))) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return folder;
}

const READY_MARKER = '.whatsapp-hub-imported';

const log = (line: string): void => {
  if (process.env['TEST_LOGS'])
    process.stderr.write(`[stack ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
};

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const keys = {
    internalApiKey: randomBytes(24).toString('hex'),
    webhookSecret: randomBytes(16).toString('hex'),
    wahaApiKey: randomBytes(16).toString('hex'),
  };
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`[stack] cleanup failed: ${String(error)}\n`);
      }
    }
  };

  try {
    const logOptions = {
      ...(process.env['TEST_LOGS'] ? { onLog: (line: string) => log(`n8n: ${line}`) } : {}),
      onProgress: log,
    };
    // First, as it may take a while: nothing else is running yet.
    const imported = await importedN8nFolder(logOptions);

    const sim = await startWahaSimulator({
      apiKey: keys.wahaApiKey,
      timeScale: options.timeScale ?? 0.1,
      engine: options.engine ?? 'WEBJS',
    });
    cleanups.push(() => sim.close());

    const n8nPort = await freePort();
    const n8nBaseUrl = `http://127.0.0.1:${n8nPort}`;
    const app = await startTestApp({
      N8N_BASE_URL: n8nBaseUrl,
      N8N_WEBHOOK_SECRET: keys.webhookSecret,
      INTERNAL_API_KEY: keys.internalApiKey,
      WAHA_URL: sim.url,
      WAHA_API_KEY: keys.wahaApiKey,
      // The service and the WAHA it talks to share one clock, as `npm run dev` sets it.
      WAHA_TIME_SCALE: String(options.timeScale ?? 0.1),
      OUTBOX_DISPATCH: 'true',
      OUTBOX_POLL_INTERVAL_MS: '100',
      OUTBOX_BASE_BACKOFF_MS: '200',
      OUTBOX_MAX_BACKOFF_MS: '1000',
      // A restarted n8n answers 404 until it has registered its webhooks (10-40 s on a busy machine).
      OUTBOX_MAX_ATTEMPTS: '1000',
      // The tests read the result as it arrives; a create need not wait for its QR.
      CREATE_QR_WAIT_MS: '0',
      ...options.serviceEnv,
    });
    cleanups.push(() => app.close());
    // startTestApp listens on a random port, so the URL WAHA calls back is known only now. The app
    // holds this very config object (APP_CONFIG is provided by value), so sessions created from
    // here on carry the right webhook URL.
    app.config.webhooks.publicUrl = `${app.url}/webhooks/waha`;
    log(`service on ${app.url}, WAHA simulator on ${sim.url}`);

    const userFolder = mkdtempSync(join(tmpdir(), 'whatsapp-hub-stack-n8n-'));
    cleanups.push(async () => rmSync(userFolder, { recursive: true, force: true }));
    const n8nOptions = {
      ...logOptions,
      port: n8nPort,
      userFolder,
      env: {
        WAHA_URL: sim.url,
        WAHA_API_KEY: keys.wahaApiKey,
        N8N_WEBHOOK_SECRET: keys.webhookSecret,
        WHATSAPP_HUB_INTERNAL_URL: `${app.url}/internal/graphql`,
        WHATSAPP_HUB_INTERNAL_KEY: keys.internalApiKey,
        ...options.n8nEnv,
      },
    };
    cpSync(imported, userFolder, { recursive: true });
    let n8n = await startN8nRuntime({ ...n8nOptions, skipImport: true });
    let n8nRunning = true;
    cleanups.push(async () => {
      if (n8nRunning) await n8n.stop();
    });
    const waitForWorkflows = async (): Promise<void> => {
      for (const path of ['session-create', 'session-delete', 'message-send'])
        await n8n.waitForWebhook(`whatsapp-hub/${path}`);
    };
    await waitForWorkflows();
    log(`n8n on ${n8n.baseUrl}, folder ${userFolder}`);

    const stack: Stack = {
      sim,
      app,
      get n8n() {
        return n8n;
      },
      keys,
      token: (slug = 'e2e') => app.token(slug),
      gql: (query, variables, token) => app.gql(query, variables, token ? { token } : {}),
      sql: <T>(query: string, params?: unknown[]) => sql<T>(app, query, params),
      async postCommand(envelope) {
        const full: CommandEnvelope = {
          attempt: 1,
          issuedAt: new Date().toISOString(),
          ...envelope,
        } as CommandEnvelope;
        const response = await fetch(
          `${n8n.baseUrl}/webhook/whatsapp-hub/${commandPath(full.type as CommandType)}`,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-whatsapp-hub-secret': keys.webhookSecret,
              'idempotency-key': full.commandId,
            },
            body: JSON.stringify(full),
          },
        );
        await response.arrayBuffer();
        return response.status;
      },
      async stopN8n() {
        await n8n.stop();
        n8nRunning = false;
      },
      async startN8n() {
        n8n = await startN8nRuntime({ ...n8nOptions, skipImport: true });
        n8nRunning = true;
        await waitForWorkflows();
      },
      close: cleanup,
    };
    return stack;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
