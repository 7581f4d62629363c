/**
 * `npm run dev` as a new user meets it: `node dist/test/tools/devstack/run.js` as a child process on
 * free ports, a fresh data folder and no PostgreSQL to find (the probe points at a dead port), so
 * the embedded PostgreSQL, the WAHA simulator, a real n8n with the committed workflows and the
 * service all start for real. The test then runs the very curl commands the banner printed (with
 * the printed token): create a session, see its QR, "scan" it through the simulator, see
 * WORKING (and send a text when the build has sendWhatsappMessage). Finally SIGINT, as a Ctrl-C:
 * the runner must exit 0 and leave no process, port or PostgreSQL behind.
 *
 * Build: beforeAll compiles with `tsc -p tsconfig.json` (it emits even while another file of the
 * checkout has a type error; `dist/test/tools/devstack/run.js` must then exist and be fresh).
 * DEVSTACK_SKIP_BUILD=1 uses the dist/ as it is. Needs n8n installed (the runner installs it on
 * first use, minutes) and curl. Run: `npm run test:e2e -- test/e2e/devstack`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { eventually } from '../support/eventually.js';
import { processGroupMembers } from '../tools/devstack/n8n-runtime.js';
import { freePort } from '../tools/devstack/process.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNNER = join(ROOT, 'dist', 'test', 'tools', 'devstack', 'run.js');
const BANNER_DONE = /whatsapp-hub is running \(ready in [\d.]+ s\)[\s\S]*?\n─{20,}\n/;
const PHONE = { id: '4915100000001@c.us', pushName: 'My phone' };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Processes whose command line or working directory names `dir` (what the runner started there). */
function processesUsing(dir: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${entry}/cwd`);
      } catch {
        // Not ours to read.
      }
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && (cmd.includes(dir) || cwd.startsWith(dir)))
        found.push({ pid: Number(entry), cmd });
    } catch {
      // Ended while we looked.
    }
  }
  return found;
}

/** Runs a command the banner printed, as a user pasting it into a shell would. */
function shell(command: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'sh',
      ['-c', command],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${command}\n→ ${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

/** The `curl …` commands of the banner, with their continuation lines, in order. */
function bannerCommands(banner: string): string[] {
  const commands: string[] = [];
  const lines = banner.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i]!.trim().startsWith('curl ')) continue;
    let command = lines[i]!.trim();
    while (command.endsWith('\\') && i + 1 < lines.length) {
      i += 1;
      command = `${command.slice(0, -1)} ${lines[i]!.trim()}`;
    }
    commands.push(command);
  }
  return commands;
}

interface SessionView {
  id: string;
  status: string;
  qr: { value: string; sequence: number | null; expiresAt: string | null } | null;
  me: { wahaId: string; pushName: string | null } | null;
}

describe('npm run dev (dist/test/tools/devstack/run.js)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'whatsapp-hub-devstack-'));
  let child: ChildProcess | undefined;
  let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;
  let output = '';
  const ports = { service: 0, sim: 0, n8n: 0, pg: 0, deadProbe: 0 };

  beforeAll(async () => {
    // PostgreSQL runs as the `postgres` user when the tests run as root: it must reach its folder.
    chmodSync(dataDir, 0o755);
    if (!process.env['DEVSTACK_SKIP_BUILD']) {
      const build = spawnSync(
        process.execPath,
        [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
        {
          cwd: ROOT,
          encoding: 'utf8',
        },
      );
      // tsc emits despite type errors elsewhere in a shared checkout; what matters is a fresh runner.
      if (build.status !== 0)
        process.stderr.write(
          `[devstack] tsc reported errors (emitted anyway):\n${build.stdout.slice(0, 2000)}\n`,
        );
      expect(existsSync(RUNNER)).toBe(true);
      // tsc is incremental: an unchanged file is not written again, so fresh means newer than its sources.
      for (const source of ['run.ts', 'postgres.ts'])
        expect(statSync(RUNNER).mtimeMs).toBeGreaterThanOrEqual(
          statSync(join(ROOT, 'test', 'tools', 'devstack', source)).mtimeMs,
        );
    }
    const taken = new Set<number>();
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) {
      let port = await freePort();
      while (taken.has(port)) port = await freePort();
      taken.add(port);
      ports[key] = port;
    }
  }, 180_000);

  afterAll(async () => {
    // Only if a test failed half-way: nothing of this run may outlive it.
    if (child?.pid && alive(child.pid)) {
      child.kill('SIGKILL');
      await exit;
    }
    for (const { pid } of processesUsing(dataDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone.
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('starts everything, lets a new user link a session with the printed commands, and stops it all on SIGINT', async () => {
    const started = Date.now();
    const pass = (name: string): Record<string, string> =>
      process.env[name] ? { [name]: process.env[name] as string } : {};
    child = spawn(process.execPath, [RUNNER], {
      cwd: ROOT,
      // A clean environment: no DATABASE_URL / REDIS_URL / WAHA_URL / N8N_BASE_URL, no jest settings.
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        ...pass('HOME'),
        ...pass('XDG_CACHE_HOME'),
        ...pass('N8N_CACHE_DIR'),
        ...pass('N8N_NODE_BIN'),
        ...pass('N8N_NODEDIR'),
        ...pass('TMPDIR'),
        NODE_ENV: 'development',
        PORT: String(ports.service),
        WAHA_SIM_PORT: String(ports.sim),
        N8N_PORT: String(ports.n8n),
        DEV_PG_PORT: String(ports.pg),
        DEV_PG_PROBE_URL: `postgres://postgres@127.0.0.1:${ports.deadProbe}/postgres`,
        DEV_DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exit = new Promise((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })));
    let exited = false;
    void exit.then(() => (exited = true));
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (process.env['TEST_LOGS']) process.stderr.write(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });

    // The banner, within the time box (n8n imports and publishes every workflow on a fresh folder: about 1.5 min idle, more on a busy machine).
    const deadline = Date.now() + 360_000;
    while (!BANNER_DONE.test(output)) {
      if (exited) throw new Error(`run.js exited before its banner:\n${output.slice(-6000)}`);
      if (Date.now() > deadline) throw new Error(`no banner after 360 s:\n${output.slice(-6000)}`);
      await sleep(250);
    }
    process.stderr.write(`[devstack] banner after ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    const banner = BANNER_DONE.exec(output)![0];

    // Every choice is logged, and the embedded defaults were taken.
    expect(output).toMatch(
      /PostgreSQL: DATABASE_URL is unset and .* is not usable .*starting an embedded PostgreSQL/,
    );
    expect(output).toContain('pub/sub: REDIS_URL is unset, using in-process pub/sub (one replica)');
    expect(output).toMatch(/n8n: 2\.41\.1 (already installed|installed)/);
    expect(output).toMatch(/n8n: importing \d+ workflow file\(s\) and n8n\/credentials\.json/);
    expect(output).toContain(`WAHA simulator on http://127.0.0.1:${ports.sim} (time scale 1`);

    // Where to go.
    expect(banner).toContain(`GraphQL playground  http://127.0.0.1:${ports.service}/graphql`);
    expect(banner).toContain(`http://127.0.0.1:${ports.sim}`);
    expect(banner).toContain(`http://127.0.0.1:${ports.n8n}`);
    const token = /export TOKEN=(\S+)/.exec(banner)?.[1];
    expect(token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(banner).toContain(`{"Authorization": "Bearer ${token}"}`);

    // The embedded server really is a PostgreSQL of ours, in the data folder.
    const owner = JSON.parse(readFileSync(join(dataDir, 'postgres-owner.json'), 'utf8')) as {
      postgresPid: number;
    };
    expect(alive(owner.postgresPid)).toBe(true);
    expect(readFileSync(`/proc/${owner.postgresPid}/cmdline`, 'utf8')).toContain(join(dataDir, 'postgres'));
    // n8n: its own process group, found by its working directory (its user folder).
    const n8nMain = processesUsing(join(dataDir, 'n8n')).find(({ cmd }) => /n8n start$/.test(cmd));
    expect(n8nMain).toBeDefined();
    const n8nGroup = n8nMain!.pid;
    expect(processGroupMembers(n8nGroup).length).toBeGreaterThan(0);

    // The printed commands, as printed: create, status, link, then (when the build can) send.
    const commands = bannerCommands(banner);
    expect(commands.length).toBeGreaterThanOrEqual(3);
    const [createCommand, statusCommand, linkCommand, sendCommand, messagesCommand] = commands as [
      string,
      string,
      string,
      string?,
      string?,
    ];
    expect(linkCommand).toContain(`http://127.0.0.1:${ports.sim}/__sim/sessions/$SESSION/link`);
    const env = { TOKEN: token! };

    const created = JSON.parse(await shell(createCommand, env)) as {
      data?: { createWhatsappSession: SessionView };
      errors?: unknown;
    };
    expect(created.errors).toBeUndefined();
    const session = created.data!.createWhatsappSession;
    expect(session.id).toMatch(/^ws_[a-z0-9]+$/);
    const withSession = { ...env, SESSION: session.id };

    const view = async (): Promise<SessionView> => {
      const answer = JSON.parse(await shell(statusCommand, withSession)) as {
        data?: { whatsappSession: SessionView };
        errors?: unknown;
      };
      expect(answer.errors).toBeUndefined();
      return answer.data!.whatsappSession;
    };
    // A cap for a busy machine (each step runs through n8n), never what is tested.
    const viewing = { timeoutMs: 180_000, intervalMs: 500 };

    // The QR came through service → outbox → n8n → WAHA simulator → n8n → internal API.
    const waiting = await eventually(async () => {
      const v = await view();
      expect(v).toMatchObject({ status: 'SCAN_QR_CODE', qr: { value: expect.stringMatching(/./) } });
      return v;
    }, viewing);
    expect(waiting.me).toBeNull();
    // The dashboard's expiry is the moment WAHA replaces that QR: the runner gives both one clock.
    const inWaha = (await fetch(`http://127.0.0.1:${ports.sim}/__sim/sessions/${session.id}`).then((r) =>
      r.json(),
    )) as { qr: { value: string; index: number; expiresAt: number } | null };
    if (inWaha.qr?.value === waiting.qr!.value) {
      expect(waiting.qr!.sequence).toBe(inWaha.qr.index);
      expect(new Date(waiting.qr!.expiresAt!).getTime()).toBe(inWaha.qr.expiresAt);
    }

    // Scanned at once: a QR reported after the link (the fetch WAHA's SCAN_QR_CODE webhook queued)
    // changes nothing, so no pause is needed here.
    const linked = JSON.parse(await shell(linkCommand, withSession)) as { status: string };
    expect(linked.status).toBe('WORKING');
    const working = await eventually(async () => {
      const v = await view();
      expect(v.status).toBe('WORKING');
      return v;
    }, viewing);
    expect(working.me).toEqual({ wahaId: PHONE.id, pushName: PHONE.pushName });
    expect(working.qr).toBeNull();
    await sleep(2_000);
    expect((await view()).status).toBe('WORKING');

    if (sendCommand) {
      expect(messagesCommand).toBeDefined();
      const sent = JSON.parse(await shell(sendCommand, withSession)) as {
        data?: { sendWhatsappMessage: { id: string; status: string } };
        errors?: unknown;
      };
      expect(sent.errors).toBeUndefined();
      expect(sent.data!.sendWhatsappMessage.id).toMatch(/^wm_[a-z0-9]{26}$/);
      expect(['PENDING', 'SENT']).toContain(sent.data!.sendWhatsappMessage.status);
      // Through the outbox, n8n's message-send workflow and WAHA, and back: SENT (or further on).
      const mine = await eventually(
        async () => {
          const answer = JSON.parse(await shell(messagesCommand!, withSession)) as {
            data?: { messages: { edges: { node: { body: string; direction: string; status: string } }[] } };
          };
          const nodes = answer.data?.messages.edges.map(({ node }) => node) ?? [];
          expect(nodes).toContainEqual(
            expect.objectContaining({
              body: 'Hello from whatsapp-hub',
              status: expect.stringMatching(/^(SENT|DELIVERED|READ|PLAYED)$/),
            }),
          );
          return nodes.find(({ body }) => body === 'Hello from whatsapp-hub')!;
        },
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      expect(mine.direction).toBe('OUTBOUND');
      // And WAHA has it: one message in that chat of the simulated phone.
      const simSession = (await (
        await fetch(`http://127.0.0.1:${ports.sim}/__sim/sessions/${session.id}`)
      ).json()) as {
        chats: { id: string; messages: number }[];
      };
      expect(simSession.chats).toContainEqual(
        expect.objectContaining({ id: '4917000000001@c.us', messages: 1 }),
      );
    } else {
      process.stderr.write('[devstack] this build has no sendWhatsappMessage: the send step is skipped\n');
    }

    // Ctrl-C.
    const stopStarted = Date.now();
    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      exit,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), 60_000))),
    ]);
    clearTimeout(timer);
    expect(result).toEqual({ code: 0, signal: null });
    process.stderr.write(`[devstack] stopped in ${((Date.now() - stopStarted) / 1000).toFixed(1)} s\n`);
    expect(output).toMatch(
      /stopped the service[\s\S]*stopped n8n[\s\S]*stopped the WAHA simulator[\s\S]*stopped the embedded PostgreSQL[\s\S]*all stopped/,
    );

    // Nothing it started survives.
    expect(alive(owner.postgresPid)).toBe(false);
    expect(processGroupMembers(n8nGroup)).toEqual([]);
    expect(processesUsing(dataDir)).toEqual([]);
    for (const [name, port] of Object.entries(ports)) {
      if (name !== 'deadProbe') expect({ name, free: await portFree(port) }).toEqual({ name, free: true });
    }
    process.stderr.write(`[devstack] whole run ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });
});
