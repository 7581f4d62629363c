/**
 * Rewrites `n8n/workflows/*.json` and `n8n/credentials.json` from the builders (files.ts), and
 * removes a workflow file no builder makes any more:
 *
 *     npm run n8n:workflows        # builds, then runs dist/n8n/build/main.js
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { renderFiles, repoN8nDir } from './files.js';

const dir = repoN8nDir();
mkdirSync(join(dir, 'workflows'), { recursive: true });
const files = await renderFiles();
for (const stale of readdirSync(join(dir, 'workflows'))) {
  if (stale.endsWith('.json') && !(`workflows/${stale}` in files)) rmSync(join(dir, 'workflows', stale));
}
for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
console.log(`wrote ${Object.keys(files).length} files under ${dir}`);
