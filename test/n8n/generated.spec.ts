/**
 * The committed n8n files as a whole: they are exactly what their builder (n8n/build) generates,
 * there is one workflow per command of the contract (src/outbox/commands.ts) on the path the
 * service POSTs to, one error workflow every other one names, and no secret anywhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

import { COMMAND_TYPES, commandPath } from '../../src/outbox/commands.js';
import { renderFiles } from '../../n8n/build/files.js';
import { CREDENTIALS, ERROR_WORKFLOW_ID, WEBHOOK_PATH_PREFIX } from '../../n8n/build/names.js';
import { byName, credentials, credentialsText, files, N8N_DIR, ofType } from './support.js';

describe('n8n workflow files', () => {
  it('are the files their builder generates (regenerate with `npm run n8n:workflows`)', async () => {
    const expected = await renderFiles();
    const actual: Record<string, string> = { 'credentials.json': credentialsText };
    for (const { file, text } of files) actual[`workflows/${file}`] = text;
    expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, text] of Object.entries(expected))
      expect({ file, text: actual[file] }).toEqual({ file, text });
  });

  it('has exactly one workflow per command, on the path the service POSTs to', () => {
    const byPath = new Map<string, string[]>();
    for (const { workflow } of files) {
      for (const webhook of ofType(workflow, 'webhook')) {
        const path = String(webhook.parameters['path']);
        byPath.set(path, [...(byPath.get(path) ?? []), workflow.id]);
      }
    }
    const expected = COMMAND_TYPES.map((type) => `${WEBHOOK_PATH_PREFIX}/${commandPath(type)}`).sort();
    expect([...byPath.keys()].sort()).toEqual(expected);
    for (const [path, ids] of byPath) expect({ path, ids: ids.length }).toEqual({ path, ids: 1 });

    // And each one accepts only its own command type.
    for (const type of COMMAND_TYPES) {
      const path = `${WEBHOOK_PATH_PREFIX}/${commandPath(type)}`;
      const workflow = files.find(
        (f) => ofType(f.workflow, 'webhook')[0]?.parameters['path'] === path,
      )!.workflow;
      expect(workflow.name).toBe(`whatsapp-hub: ${type}`);
      if (type === 'message.received') continue;
      expect(byName(workflow, 'Command').parameters['jsCode']).toContain(
        `const EXPECTED_TYPE = ${JSON.stringify(type)};`,
      );
    }
  });

  it('has unique workflow ids, and one error workflow every other workflow names', () => {
    const ids = files.map((f) => f.workflow.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(ERROR_WORKFLOW_ID);
    for (const { workflow } of files)
      if (workflow.id !== ERROR_WORKFLOW_ID)
        expect(workflow.settings['errorWorkflow']).toBe(ERROR_WORKFLOW_ID);
  });

  it('carries no secret: credentials take every value from the environment', () => {
    expect(credentials.map((c) => c.id).sort()).toEqual(
      Object.values(CREDENTIALS)
        .map((c) => c.id)
        .sort(),
    );
    for (const credential of credentials) {
      expect(credential.type).toBe('httpHeaderAuth');
      expect(credential.data['value']).toMatch(/^=\{\{ \$env\.[A-Z][A-Z0-9_]* \}\}$/);
    }
    // Secret-looking literals anywhere in n8n/*.json and n8n/workflows/*.json: the service's
    // development defaults, header values set outside a credential, long random-looking tokens.
    const envSource = readFileSync(new URL('../../src/config/env.ts', import.meta.url), 'utf8');
    const devSecrets = [...envSource.matchAll(/const DEV_\w+ = '([^']+)'/g)].map((m) => m[1]!);
    expect(devSecrets.length).toBeGreaterThan(0);
    const texts = [
      ...readdirSync(N8N_DIR)
        .filter((name) => name.endsWith('.json'))
        .map((name) => ({ file: name, text: readFileSync(join(N8N_DIR, name), 'utf8') })),
      ...files.map(({ file, text }) => ({ file: `workflows/${file}`, text })),
    ];
    expect(texts.length).toBeGreaterThan(files.length);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    for (const { file, text } of texts) {
      for (const secret of devSecrets)
        expect({ file, containsDevSecret: text.includes(secret) }).toEqual({
          file,
          containsDevSecret: false,
        });
      const tokens = [...text.matchAll(/"([A-Za-z0-9+/=_-]{24,})"/g)]
        .map((m) => m[1]!)
        .filter((t) => !uuid.test(t) && /\d/.test(t) && /[a-z]/i.test(t));
      expect({ file, tokens }).toEqual({ file, tokens: [] });
      expect({
        file,
        headerSecrets:
          /"name":\s*"(x-api-key|x-internal-key|x-whatsapp-hub-secret)"/i.test(text) &&
          file !== 'credentials.json',
      }).toEqual({
        file,
        headerSecrets: false,
      });
    }
  });
});
