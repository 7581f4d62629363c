/**
 * The real n8n the other e2e specs rely on: installed from n8n/runtime, started on loopback with
 * an imported + published workflow, and still serving it after a stop and a start on the same
 * folder without re-import (the outbox test needs "n8n stopped, then started again").
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  ensureN8nInstalled,
  type N8nInstance,
  processGroupMembers,
  startN8n,
} from '../tools/devstack/n8n-runtime.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const token = randomBytes(16).toString('hex');
const progress = (line: string): void => {
  process.stderr.write(`[n8n-runtime] ${line}\n`);
};

async function postEcho(
  n8n: N8nInstance,
  body: unknown,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${n8n.baseUrl}/webhook/e2e-echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

describe('n8n runtime (real n8n)', () => {
  const userFolder = mkdtempSync(join(tmpdir(), 'whatsapp-hub-n8n-e2e-'));
  let n8n: N8nInstance | undefined;

  beforeAll(async () => {
    // Cold: minutes (npm install + sqlite3 build); warm: milliseconds.
    await ensureN8nInstalled({ onProgress: progress });
  }, 30 * 60_000);

  afterAll(async () => {
    await n8n?.stop();
    rmSync(userFolder, { recursive: true, force: true });
  }, 60_000);

  it('reuses a completed install, also when two callers ask at once', async () => {
    const [first, second] = await Promise.all([ensureN8nInstalled(), ensureN8nInstalled()]);

    expect(first.alreadyInstalled).toBe(true);
    expect(second.alreadyInstalled).toBe(true);
    expect(first.version).toBe('2.41.1');
  });

  it(
    'imports, publishes and serves a header-authenticated webhook',
    async () => {
      n8n = await startN8n({
        port: 0,
        userFolder,
        env: { E2E_ECHO_TOKEN: token },
        credentialsFile: join(fixtures, 'e2e-echo.credentials.json'),
        workflowsFiles: [join(fixtures, 'e2e-echo.workflow.json')],
        onProgress: progress,
      });
      progress(`started pid ${n8n.pid} on ${n8n.baseUrl}, RSS ${Math.round(n8n.rssBytes() / 2 ** 20)} MiB`);
      expect(n8n.workflowIds).toEqual(['e2eEchoWorkflow01']);

      await n8n.waitForWebhook('e2e-echo');
      const body = { nonce: randomUUID(), nested: { list: [1, 'two', null] } };

      const ok = await postEcho(n8n, body, { 'x-e2e-token': token });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.text)).toEqual(body);

      const wrong = await postEcho(n8n, body, { 'x-e2e-token': `${token}-wrong` });
      expect(wrong).toEqual({ status: 403, text: 'Authorization data is wrong!' });

      const missing = await postEcho(n8n, body, {});
      expect(missing.status).toBe(403);
    },
    5 * 60_000,
  );

  it('gives up on a webhook that no published workflow registers', async () => {
    if (!n8n) throw new Error('n8n did not start in the previous test');

    await expect(n8n.waitForWebhook('no-such-webhook', { timeoutMs: 1_500 })).rejects.toThrow(
      /webhook http:\/\/127\.0\.0\.1:\d+\/webhook\/no-such-webhook still not registered \(last status 404\)/,
    );
  });

  it(
    'keeps serving after stop and a start on the same folder without re-import',
    async () => {
      if (!n8n) throw new Error('n8n did not start in the previous test');
      const { pid, port } = n8n;

      await n8n.stop();
      // The task runner lives in n8n's process group: nothing of it may survive.
      expect(processGroupMembers(pid)).toEqual([]);
      const refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => 'answered',
        () => 'refused',
      );
      expect(refused).toBe('refused');

      n8n = await startN8n({ port, userFolder, env: { E2E_ECHO_TOKEN: token }, skipImport: true });
      expect(n8n.pid).not.toBe(pid);
      expect(n8n.workflowIds).toEqual([]);

      await n8n.waitForWebhook('e2e-echo');
      const body = { nonce: randomUUID() };
      const ok = await postEcho(n8n, body, { 'x-e2e-token': token });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.text)).toEqual(body);
    },
    5 * 60_000,
  );
});
