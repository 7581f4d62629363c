import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { Logger } from '@nestjs/common';
import { OutboxCommand } from '../../src/outbox/outbox-command.entity.js';
import { probeKey } from '../../src/whatsapp-sessions/webhook-reachability.js';
import { signBody } from '../../src/waha/webhook-hmac.js';
import { WhatsappSession } from '../../src/whatsapp-sessions/whatsapp-session.entity.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/fake-n8n.js';

const CREATE = `mutation($name: String!) { createWhatsappSession(input: { displayName: $name }) { id } }`;

/** Before a session is created the service proves WAHA can reach its webhook URL. */
describe('the signed webhook probe on create', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  async function counts(app: TestApp) {
    const em = app.app.get(MikroORM).em.fork();
    return {
      sessions: await em.count(WhatsappSession, {}, { filters: false }),
      commands: await em.count(OutboxCommand, {}),
    };
  }

  it('creates the session when its own public webhook URL answers the probe', async () => {
    const port = await freePort();
    const app = await startTestApp(
      {
        PORT: String(port),
        WEBHOOK_PROBE_ON_CREATE: 'true',
        PUBLIC_WEBHOOK_URL: `http://127.0.0.1:${port}/webhooks/waha`,
      },
      db,
    );
    try {
      const result = await app.gql(CREATE, { name: 'Reachable' }, { token: await app.token('acme') });
      expect(result.errors).toBeUndefined();
    } finally {
      await app.app.close();
    }
  });

  it.each<[string, () => Promise<{ url: string; close: () => Promise<void> }>, RegExp]>([
    [
      'nothing listens there',
      async () => ({
        url: `http://127.0.0.1:${await freePort()}/webhooks/waha`,
        close: async () => undefined,
      }),
      /ECONNREFUSED/,
    ],
    ['a server answers 200 to anything', () => serverAnswering(200, '{}'), /not as this service/],
    ['a server answers 404', () => serverAnswering(404, 'no'), /answered HTTP 404/],
  ])('fails with WEBHOOK_UNREACHABLE and creates nothing when %s', async (_case, target, reason) => {
    const server = await target();
    const app = await startTestApp({ WEBHOOK_PROBE_ON_CREATE: 'true', PUBLIC_WEBHOOK_URL: server.url }, db);
    const warnings = jest.spyOn(Logger.prototype, 'warn');
    try {
      const token = await app.token('acme');
      const before = await counts(app);
      const result = await app.gql(CREATE, { name: `Unreachable ${_case}` }, { token });
      expect(result.errors).toEqual([
        expect.objectContaining({
          extensions: {
            code: 'WEBHOOK_UNREACHABLE',
            details: { errorId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
          },
        }),
      ]);
      const error = result.errors![0]!;
      // The tenant's user gets a plain reason; the address and what answered stay internal.
      expect(error.message).toContain('could not reach its own webhook URL');
      expect(error.message).toContain('PUBLIC_WEBHOOK_URL');
      expect(error.message).not.toContain(server.url);
      expect(error.message).not.toMatch(reason);
      // The operator finds them in the log, under the errorId the user was given.
      const errorId = (error.extensions!['details'] as { errorId: string }).errorId;
      const logged = warnings.mock.calls.map(([message]) => String(message)).find((m) => m.includes(errorId));
      expect(logged).toContain(server.url);
      expect(logged).toMatch(reason);
      expect(await counts(app)).toEqual(before);
    } finally {
      warnings.mockRestore();
      await app.app.close();
      await server.close();
    }
  });

  it('does not answer a probe signed with another key, so the check cannot be fooled by a copy', async () => {
    const app = await startTestApp({}, db);
    try {
      const body = JSON.stringify({ id: 'probe_1', event: 'whatsapp-hub.probe', payload: { nonce: 'n' } });
      const wrong = await fetch(`${app.url}/webhooks/waha`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webhook-hmac': signBody(body, 'another key') },
        body,
      });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${app.url}/webhooks/waha`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-webhook-hmac': signBody(body, probeKey(app.config)),
        },
        body,
      });
      expect(right.status).toBe(200);
      expect(await right.json()).toEqual({ probe: 'n' });
    } finally {
      await app.app.close();
    }
  });
});

async function serverAnswering(status: number, body: string) {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/waha`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
