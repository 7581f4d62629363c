import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The shape of the house, checked so it stays true: the top-level folders of `src` form layers,
 * and a folder imports only from folders of its own or lower layers. So dependencies point one
 * way (edges → domains → ports → foundations) and no two folders import each other. Adding a
 * folder means placing it here, which is the moment to decide what it may depend on.
 */
const LAYERS: readonly (readonly string[])[] = [
  // Foundations: typed config, errors and helpers, logs and metrics, the database connection.
  ['config'],
  ['observability'],
  ['common'],
  ['database', 'migrations'],
  // WAHA's vocabulary (generated from its spec), and the tenant every row belongs to.
  ['waha'],
  ['tenants'],
  // Ports the domains call: pub/sub to dashboards, the outbox of commands to n8n, the inbox of
  // WAHA's events, the media store, tenants' own webhooks (the deliveries the domains write).
  ['realtime', 'outbox', 'inbox', 'media', 'tenant-webhooks'],
  // Who is calling (tokens, guards, markers): used by every resolver.
  ['auth'],
  // The domains, in the order they build on each other.
  ['whatsapp-sessions'],
  ['chats'],
  // Edges: they call domain services, and nothing calls them.
  ['health'],
  ['graphql'],
  ['internal-api', 'webhooks', 'playground', 'media-api', 'tenant-webhooks-api'],
  // Node lookups (node(id)) reach every kind of object, the webhook edge's included.
  ['node-api'],
  // The composition root (app.module.ts, bootstrap.ts, main.ts) and the command-line tools.
  ['(root)'],
  ['cli'],
];

const repo = resolve(import.meta.dirname, '../..');
const src = join(repo, 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The top-level folder of `src` a file belongs to; '(root)' for files directly in `src`. */
function folderOf(file: string): string {
  const parts = relative(src, file).split(sep);
  return parts.length === 1 ? '(root)' : parts[0]!;
}

/** Every relative import (static, dynamic, re-export) of a file, resolved to a path. */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name));
}

const layerOf = new Map(
  LAYERS.flatMap((folders, layer) => folders.map((folder) => [folder, layer] as const)),
);

describe('layout', () => {
  const files = tsFiles(src);

  it('places every top-level folder of src in a layer', () => {
    const unplaced = [...new Set(files.map(folderOf))].filter((folder) => !layerOf.has(folder));
    expect(unplaced).toEqual([]);
  });

  it('imports only from the same or lower layers, so no two folders import each other', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const target of importsOf(file)) {
        if (!target.startsWith(src + sep)) continue;
        const to = folderOf(target);
        if (to === from) continue;
        if (layerOf.get(to)! >= layerOf.get(from)!) {
          upward.push(`${relative(repo, file)} (${from}) imports ${relative(repo, target)} (${to})`);
        }
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps production code apart from tests and dev tooling', () => {
    const outside = files.flatMap((file) =>
      importsOf(file)
        .filter((target) => !target.startsWith(src + sep))
        .filter((target) => relative(repo, target) !== 'mikro-orm.config.js')
        .map((target) => `${relative(repo, file)} imports ${relative(repo, target)}`),
    );
    expect(outside).toEqual([]);
  });

  it('keeps every source file small enough to read in one sitting', () => {
    // Generated files are checked against their source instead (`npm run check`).
    const generated = /[/\\]generated[/\\]|[/\\]migrations[/\\]/;
    const roots = ['src', 'test', 'n8n'].map((dir) => join(repo, dir));
    const long = roots
      .flatMap(tsFiles)
      .filter((file) => !generated.test(file))
      .map((file) => ({ file: relative(repo, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 400)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
