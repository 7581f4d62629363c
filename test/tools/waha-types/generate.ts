/**
 * Generates src/waha/generated/ from WAHA's own spec (../shared/waha/openapi.json) with
 * @hey-api/openapi-ts (its `@hey-api/typescript` plugin: types only, no client), formatted
 * with the repository's prettier settings.
 *
 *   node test/tools/waha-types/generate.ts          write the files  (npm run waha:types)
 *   node test/tools/waha-types/generate.ts --check  fail when the checked-in files differ
 *                                                   (npm run waha:check)
 *
 * Run by Node directly (type stripping), not from dist/: the check needs no build and takes
 * about a second. Hence one file, package imports only, and erasable syntax only.
 *
 * The spec is OpenAPI 3.1 written by NestJS's generator with OpenAPI 3.0 habits. Read
 * literally, 3.1 ignores two of them, so before generating they are written the 3.1 way
 * (the same reading test/waha/support/openapi.ts applies to validate against the spec):
 * 1. `nullable: true` becomes a `null` member of the schema's type;
 * 2. `required: true` on a property moves into its parent's `required` list.
 * Nothing else is changed: where WAHA itself departs from its spec, the hand-written
 * overlay src/waha/waha.types.ts says so.
 */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { createClient } from '@hey-api/openapi-ts';
import { format, resolveConfig } from 'prettier';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SPEC_PATH = path.resolve(REPO_ROOT, '..', 'shared', 'waha', 'openapi.json');
const OUT_DIR = path.join(REPO_ROOT, 'src', 'waha', 'generated');
const REGENERATE = 'npm run waha:types';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Rewrites the spec's OpenAPI 3.0 habits the 3.1 way, in place (see the file comment). */
export function readAsMeant(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(readAsMeant);
    return;
  }
  if (!isObject(node)) return;
  if (node.nullable === true) {
    delete node.nullable;
    if (typeof node.type === 'string') {
      node.type = [node.type, 'null'];
      if (Array.isArray(node.enum)) node.enum = [...(node.enum as unknown[]), null];
    } else if (node.type === undefined) {
      // `allOf: [{$ref}]` and friends: the value is that schema or null.
      const inner: Json = {};
      for (const key of ['$ref', 'allOf', 'anyOf', 'oneOf', 'items', 'properties', 'required']) {
        if (key in node) {
          inner[key] = node[key];
          delete node[key];
        }
      }
      node.anyOf = Object.keys(inner).length ? [inner, { type: 'null' }] : [{}, { type: 'null' }];
    }
  }
  if (isObject(node.properties)) {
    for (const [name, property] of Object.entries(node.properties)) {
      if (isObject(property) && property.required === true) {
        delete property.required;
        const required = Array.isArray(node.required) ? (node.required as string[]) : [];
        if (!required.includes(name)) node.required = [...required, name];
      }
    }
  }
  for (const value of Object.values(node)) readAsMeant(value);
}

function header(spec: Json): string[] {
  const version = isObject(spec.info) ? String(spec.info.version) : 'unknown';
  return [
    '// GENERATED FILE, DO NOT EDIT. Regenerate with `npm run waha:types`.',
    `// Made by @hey-api/openapi-ts (plugin @hey-api/typescript) from ../shared/waha/openapi.json`,
    `// (WAHA's own spec, version ${version}) by test/tools/waha-types/generate.ts.`,
    "// WAHA's departures from its spec are in the hand-written overlay ../waha.types.ts.",
  ];
}

/** The generated files, by name, formatted as prettier would format them in OUT_DIR. */
export async function generate(): Promise<Map<string, string>> {
  const spec = JSON.parse(await readFile(SPEC_PATH, 'utf8')) as Json;
  const hdr = header(spec);
  readAsMeant(spec);
  const tmp = await mkdtemp(path.join(tmpdir(), 'waha-types-'));
  try {
    await createClient({
      input: spec,
      output: { path: tmp, entryFile: false, header: hdr, tsConfigPath: null },
      plugins: [{ name: '@hey-api/typescript', definitions: { case: 'preserve' } }],
      logs: { level: 'silent', file: false },
      interactive: false,
    });
    const files = new Map<string, string>();
    for (const name of (await readdir(tmp)).sort()) {
      const target = path.join(OUT_DIR, name);
      const options = (await resolveConfig(target)) ?? {};
      files.set(
        name,
        await format(await readFile(path.join(tmp, name), 'utf8'), { ...options, filepath: target }),
      );
    }
    if (files.size === 0) throw new Error('@hey-api/openapi-ts wrote no file');
    return files;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

async function checkedIn(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const names = await readdir(OUT_DIR).catch(() => [] as string[]);
  for (const name of names.sort()) files.set(name, await readFile(path.join(OUT_DIR, name), 'utf8'));
  return files;
}

/** What differs between the checked-in files and freshly generated ones; [] when none. */
export function drift(expected: Map<string, string>, actual: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [name, text] of expected) {
    const current = actual.get(name);
    if (current === undefined) problems.push(`${name} is missing`);
    else if (current !== text) {
      const a = current.split('\n');
      const b = text.split('\n');
      const line = b.findIndex((l, i) => l !== a[i]);
      problems.push(
        `${name} differs from line ${line + 1}: ${JSON.stringify(a[line] ?? '')}, generated ${JSON.stringify(b[line] ?? '')}`,
      );
    }
  }
  for (const name of actual.keys()) if (!expected.has(name)) problems.push(`${name} is not generated`);
  return problems;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const files = await generate();
  const relOut = path.relative(REPO_ROOT, OUT_DIR);
  if (check) {
    const problems = drift(files, await checkedIn());
    if (problems.length) {
      console.error(
        `${relOut}/ is not what ../shared/waha/openapi.json generates:\n` +
          problems.map((p) => `  - ${relOut}/${p}`).join('\n') +
          `\nRun \`${REGENERATE}\` and commit the result (do not edit generated files by hand).`,
      );
      process.exitCode = 1;
      return;
    }
    console.log(`${relOut}/ matches ../shared/waha/openapi.json`);
    return;
  }
  await rm(OUT_DIR, { recursive: true, force: true });
  await mkdir(OUT_DIR, { recursive: true });
  for (const [name, text] of files) await writeFile(path.join(OUT_DIR, name), text);
  console.log(`wrote ${[...files.keys()].map((n) => `${relOut}/${n}`).join(', ')}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
