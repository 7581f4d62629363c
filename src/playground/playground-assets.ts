import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The prebuilt GraphiQL of @graphql-yoga/graphiql (React, GraphiQL 5, Monaco with its
 * workers, fonts inlined in the CSS): served as files, so the playground needs no internet.
 * URL name (under PLAYGROUND_ASSETS_PATH) -> file in the package's dist/.
 *
 * A devDependency on purpose: the package also depends on the sources it was built from
 * (Monaco, React Aria: about 250 MB that the 27 MB dist/ never loads), and the playground is off
 * in production. A production image that turns it on anyway stops at start with the error below.
 */
const PACKAGE = '@graphql-yoga/graphiql';

const BUNDLE_FILES = {
  'graphiql.js': 'yoga-graphiql.umd.js',
  'graphiql.css': 'graphiql.css',
  'editor.worker.js': 'monacoeditorwork/editor.worker.bundle.js',
  'json.worker.js': 'monacoeditorwork/json.worker.bundle.js',
  'graphql.worker.js': 'monacoeditorwork/graphql.worker..bundle.js',
} as const;

export type BundleFile = keyof typeof BUNDLE_FILES;
export const BUNDLE_FILE_NAMES = Object.keys(BUNDLE_FILES) as BundleFile[];

/**
 * Absolute paths of the bundle's files. Throws at start, naming what is missing, when the
 * playground is on but the package is not installed as expected (an upgrade that renamed a
 * file would otherwise show a half-loaded page).
 */
export function bundleFilePaths(): Record<BundleFile, string> {
  const dist = packageDist();
  const paths = Object.fromEntries(
    BUNDLE_FILE_NAMES.map((name) => [name, join(dist ?? '', BUNDLE_FILES[name])]),
  ) as Record<BundleFile, string>;
  const missing = dist ? Object.values(paths).filter((path) => !existsSync(path)) : [PACKAGE];
  if (missing.length > 0) {
    throw new Error(
      `GRAPHQL_PLAYGROUND is on but the playground's files are missing: ${missing.join(', ')} ` +
        '(it is a devDependency: install with npm ci, without --omit=dev, or set GRAPHQL_PLAYGROUND=false)',
    );
  }
  return paths;
}

function packageDist(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`)), 'dist');
  } catch {
    return undefined;
  }
}
