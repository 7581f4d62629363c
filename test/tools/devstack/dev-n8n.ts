/**
 * The n8n of `npm run dev`: n8n/workflows/*.json and n8n/credentials.json imported and published
 * into `.data/n8n` (again only when they changed), ready once every workflow's webhook is
 * registered; and one left running by a killed earlier run is stopped first.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ensureN8nInstalled,
  type N8nInstance,
  pinnedN8nVersion,
  processGroupMembers,
  startN8n,
} from './n8n-runtime.js';
import { isAlive, readTail } from './process.js';
import { Cancelled, type DevSettings, say } from './settings.js';

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

export const N8N_OWNER = 'n8n-owner.json';

/**
 * n8n runs in its own process group, so a runner that was killed outright (SIGKILL, a closed
 * container) leaves it running on its port. Its group is ours to stop when the runner that
 * recorded it is gone and the process still runs in this data folder's n8n folder.
 */
export async function stopLeftoverN8n(dataDir: string, userFolder: string): Promise<void> {
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

export async function startDevN8n(
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
