/**
 * n8n's node descriptions (`n8n-nodes-base/dist/types/nodes.json`) for the static workflow checks.
 *
 * They ship inside n8n-nodes-base, which is not a dependency of this repo (n8n-workflow alone has
 * none), and the whole n8n install is 2 GB. The static checks need one 11 MB tarball, so when no
 * full n8n install is in the cache, the exact n8n-nodes-base that `n8n/runtime/package-lock.json`
 * pins is fetched with `npm pack` (no dependencies, no scripts), checked against the lockfile's
 * integrity, and only nodes.json is kept. Synchronous on purpose: a spec can call it while its
 * module loads, outside any test or hook timeout; the test command's prepare step calls it first.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { n8nCacheDir, n8nRuntimeSourceDir } from '../tools/devstack/n8n-runtime.js';

const NODES_JSON = join('dist', 'types', 'nodes.json');

interface LockedPackage {
  version: string;
  integrity: string;
}

function lockedNodesBase(): LockedPackage {
  const lock = JSON.parse(readFileSync(join(n8nRuntimeSourceDir(), 'package-lock.json'), 'utf8')) as {
    packages: Record<string, Partial<LockedPackage>>;
  };
  const entry = lock.packages['node_modules/n8n-nodes-base'];
  if (!entry?.version || !entry.integrity)
    throw new Error('n8n/runtime/package-lock.json pins no n8n-nodes-base version and integrity');
  return { version: entry.version, integrity: entry.integrity };
}

/** The integrity string npm writes into lockfiles (`sha512-<base64>`) of a file's bytes. */
function integrityOf(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

function run(command: string, args: string[], cwd: string): string {
  const out = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (out.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} failed (${out.status ?? out.signal}): ${out.stderr || out.error}`,
    );
  return out.stdout;
}

/**
 * Path of nodes.json: from the full n8n install if the cache has one, else from the pinned
 * n8n-nodes-base tarball (fetched once into the cache). `onProgress` hears about a download.
 */
export function n8nNodeDescriptionsFile(onProgress: (line: string) => void = () => undefined): string {
  const fromInstall = join(n8nCacheDir(), 'node_modules', 'n8n-nodes-base', NODES_JSON);
  if (existsSync(fromInstall)) return fromInstall;

  const { version, integrity } = lockedNodesBase();
  const dir = join(dirname(n8nCacheDir()), `n8n-nodes-base-${version}`);
  const file = join(dir, NODES_JSON);
  if (existsSync(file)) return file;

  onProgress(`n8n node descriptions: fetching n8n-nodes-base@${version} (one 11 MB tarball) into ${dir}`);
  mkdirSync(dirname(dir), { recursive: true });
  const work = mkdtempSync(`${dir}.fetching-`);
  try {
    run('npm', ['pack', '--silent', `n8n-nodes-base@${version}`], work);
    const tarball = readdirSync(work).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack n8n-nodes-base@${version} left no tarball in ${work}`);
    const actual = integrityOf(join(work, tarball));
    if (actual !== integrity)
      throw new Error(
        `n8n-nodes-base@${version}: integrity ${actual} differs from the lockfile's ${integrity}`,
      );
    run('tar', ['-xzf', tarball, `package/${NODES_JSON}`], work);
    // Renamed into place whole, so a reader never sees a half-written file.
    try {
      renameSync(join(work, 'package'), dir);
    } catch (error) {
      if (!existsSync(file)) throw error; // else another run got there first
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return file;
}
