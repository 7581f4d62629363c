/**
 * Ctrl-C while `npm run dev` installs or starts n8n. The install's `npm install` runs in its own
 * process group (so a timeout can kill its whole tree), which the terminal's SIGINT never reaches:
 * the runner has to stop it itself, promptly, and leave the cache as the next run can repair it.
 *
 * A fake `npm` stands in for the real one (found first on the PATH n8n-runtime gives its children:
 * the folder of N8N_NODE_BIN). It behaves like the slow npm a user met: it ignores SIGTERM and
 * has a child (`sleep 600`) in its group. With a `succeed` file next to it, it "installs" a fake
 * n8n instead: a script that hangs the same way, so n8n's import and start can be stopped too.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { eventually } from '../support/eventually.js';
import { ensureN8nInstalled, processGroupMembers, startN8n } from '../tools/devstack/n8n-runtime.js';
import { killAllChildGroups } from '../tools/devstack/process.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WORKFLOW = join(ROOT, 'test', 'e2e', 'fixtures', 'e2e-echo.workflow.json');
/** Only so a broken build fails instead of hanging: nothing here is expected to take long. */
const HANG_GUARD_MS = 60_000;

const FAKE_NPM = `#!/bin/sh
here=$(dirname "$0")
if [ -e "$here/succeed" ]; then
  if [ "$1" = install ]; then
    mkdir -p node_modules/n8n/bin node_modules/sqlite3
    echo '{"name":"sqlite3","main":"index.js"}' > node_modules/sqlite3/package.json
    echo 'module.exports = {};' > node_modules/sqlite3/index.js
    cp "$here/fake-n8n.cjs" node_modules/n8n/bin/n8n
  fi
  exit 0
fi
trap '' TERM
sleep 600 &
echo "$$ $!" > "$here/npm.pids.tmp" && mv "$here/npm.pids.tmp" "$here/npm.pids"
echo "fake npm $*: working"
wait
`;

/** Run as `node n8n <command>` in the user folder; records its pid and its child's there. */
const FAKE_N8N = `const { spawn } = require('node:child_process');
const { renameSync, writeFileSync } = require('node:fs');
// A slow import that ignores SIGTERM, like the npm above; \`start\` stops on SIGTERM as n8n does.
if (process.argv[2] !== 'start') process.on('SIGTERM', () => undefined);
const child = spawn('sleep', ['600'], { stdio: 'ignore' });
writeFileSync('fake-n8n.pids.tmp', process.pid + ' ' + child.pid);
renameSync('fake-n8n.pids.tmp', 'fake-n8n.pids');
setInterval(() => undefined, 60_000);
`;

/** The pids a fake wrote (leader of its group, then its child), once it has written them. */
async function pidsFrom(file: string, pending: Promise<unknown>): Promise<[number, number]> {
  let settled: unknown;
  pending.then(
    () => (settled = 'resolved'),
    (error: unknown) => (settled = error),
  );
  await eventually(
    () => {
      if (existsSync(file)) return;
      throw new Error(
        settled === undefined
          ? `${file} has not appeared`
          : `ended before the fake started: ${String(settled)}`,
      );
    },
    { timeoutMs: HANG_GUARD_MS },
  );
  const [leader, child] = readFileSync(file, 'utf8').trim().split(' ').map(Number) as [number, number];
  return [leader, child];
}

/** The promise's rejection, or a failure saying it is still running after being told to stop. */
async function rejection(pending: Promise<unknown>, what: string): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} still running`)), HANG_GUARD_MS);
  });
  try {
    await Promise.race([pending, guard]);
  } catch (error) {
    if (error instanceof Error && error.message === `${what} still running`) throw error;
    return error;
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`${what} resolved instead of stopping`);
}

describe('stopping an n8n install or start in flight', () => {
  const root = mkdtempSync(join(tmpdir(), 'whatsapp-hub-install-abort-'));
  const bin = join(root, 'bin');
  const cacheDir = join(root, 'cache', 'n8n');
  const lockDir = `${cacheDir}.lock`;
  const marker = join(cacheDir, '.whatsapp-hub-install.json');
  const npmPids = join(bin, 'npm.pids');
  const overrides = {
    // The fake npm is found through the folder of the Node that runs n8n (put first on PATH).
    N8N_NODE_BIN: join(bin, 'node'),
    N8N_NODEDIR: dirname(dirname(process.execPath)),
    // startN8n installs into the default cache: this one, never the user's real n8n.
    N8N_CACHE_DIR: cacheDir,
    XDG_CACHE_HOME: join(root, 'cache'),
  };
  const saved = Object.fromEntries(Object.keys(overrides).map((name) => [name, process.env[name]]));
  const groups: number[] = [];

  beforeAll(() => {
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    writeFileSync(join(bin, 'npm'), FAKE_NPM);
    chmodSync(join(bin, 'npm'), 0o755);
    writeFileSync(join(bin, 'fake-n8n.cjs'), FAKE_N8N);
    Object.assign(process.env, overrides);
  });

  afterAll(() => {
    // Only after a failure: nothing a fake started may outlive the tests.
    for (const group of groups) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // Gone, as it should be.
      }
    }
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(root, { recursive: true, force: true });
  });

  beforeEach(() => {
    rmSync(npmPids, { force: true });
  });

  it('an abort kills the whole npm install group, SIGTERM-deaf as it is, then releases the lock, writing no marker', async () => {
    const controller = new AbortController();
    const install = ensureN8nInstalled({ cacheDir, signal: controller.signal });
    const [npm, child] = await pidsFrom(npmPids, install);
    groups.push(npm);
    // The fake's child shares its group: the abort has to reach it through the group.
    expect(processGroupMembers(npm).sort()).toEqual([npm, child].sort());
    expect(existsSync(lockDir)).toBe(true);

    controller.abort();
    const error = await rejection(install, 'the install');

    expect(error).toMatchObject({ name: 'AbortError' });
    // Gone by the time the call gave up, though the fake ignores SIGTERM.
    expect(processGroupMembers(npm)).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(lockDir)).toBe(false);
  });

  it('an already aborted signal starts no npm at all', async () => {
    const controller = new AbortController();
    controller.abort();

    const error = await rejection(ensureN8nInstalled({ cacheDir, signal: controller.signal }), 'the install');

    expect(error).toMatchObject({ name: 'AbortError' });
    expect(existsSync(npmPids)).toBe(false);
    expect(existsSync(lockDir)).toBe(false);
  });

  it('killAllChildGroups (the forced exit) kills an install nobody aborted, synchronously', async () => {
    const install = ensureN8nInstalled({ cacheDir });
    const [npm, child] = await pidsFrom(npmPids, install);
    groups.push(npm);
    expect(processGroupMembers(npm).sort()).toEqual([npm, child].sort());

    killAllChildGroups();
    // Before this event loop turns again (a forced exit never gives it another turn), the group
    // dies: the kill was sent by the call itself, not scheduled.
    const deadline = Date.now() + HANG_GUARD_MS;
    while (processGroupMembers(npm).length > 0 && Date.now() < deadline) spawnSync('sleep', ['0.05']);
    expect(processGroupMembers(npm)).toEqual([]);

    const error = await rejection(install, 'the install');

    expect(String(error)).toMatch(/npm install of n8n was killed by SIGKILL/);
    expect(processGroupMembers(npm)).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it('the next run takes over the lock a forced-out runner left and installs again', async () => {
    // What a forced exit leaves: a lock whose owner is gone, and a cache without a marker.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(
      join(lockDir, 'owner.json'),
      JSON.stringify({ pid: dead, host: hostname(), token: 'forced-out' }),
    );
    writeFileSync(join(bin, 'succeed'), '');
    const lines: string[] = [];

    const installation = await ensureN8nInstalled({ cacheDir, onProgress: (line) => lines.push(line) });

    expect(lines.join('\n')).toContain(`taking over a stale install lock (pid ${dead})`);
    expect(installation.alreadyInstalled).toBe(false);
    expect(existsSync(marker)).toBe(true);
    expect(existsSync(lockDir)).toBe(false);
  });

  it('an abort during n8n import kills the import group and rejects', async () => {
    const userFolder = join(root, 'n8n-import');
    const controller = new AbortController();
    const start = startN8n({ port: 0, userFolder, workflowsFiles: [WORKFLOW], signal: controller.signal });
    const [n8n, child] = await pidsFrom(join(userFolder, 'fake-n8n.pids'), start);
    groups.push(n8n);
    expect(processGroupMembers(n8n).sort()).toEqual([n8n, child].sort());

    controller.abort();
    const error = await rejection(start, 'the n8n import');

    expect(error).toMatchObject({ name: 'AbortError' });
    expect(processGroupMembers(n8n)).toEqual([]);
  });

  it('an abort while n8n starts stops its group instead of waiting for it to be ready', async () => {
    const userFolder = join(root, 'n8n-start');
    const controller = new AbortController();
    const start = startN8n({ port: 0, userFolder, skipImport: true, signal: controller.signal });
    const [n8n, child] = await pidsFrom(join(userFolder, 'fake-n8n.pids'), start);
    groups.push(n8n);

    controller.abort();
    const error = await rejection(start, 'the n8n start');

    expect(error).toMatchObject({ name: 'AbortError' });
    expect(processGroupMembers(n8n)).toEqual([]);
    expect(processGroupMembers(child)).toEqual([]);
  });
});
