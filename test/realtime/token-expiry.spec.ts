import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import { JwtService } from '../../src/auth/jwt.service.js';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { wsUrl } from './support.js';

/** An open subscription must not outlive the token the socket authenticated with. */
describe('a socket whose token expires', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('is closed 4403 when its token expires, after serving its subscription until then', async () => {
    const tenant = await t.app.get(TenantsService).ensure('expiring-co');
    const expiresInSeconds = 2;
    const token = await t.app
      .get(JwtService)
      .sign(
        { tenantId: tenant.id, userId: 'u', roles: ['admin'] },
        Math.floor(Date.now() / 1000) + expiresInSeconds,
      );

    const socket = new WebSocket(wsUrl(t), 'graphql-transport-ws');
    const messages: { type: string }[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data)) as { type: string }));
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await once(socket, 'message');
    socket.send(
      JSON.stringify({
        type: 'subscribe',
        id: '1',
        payload: { query: 'subscription { whatsappSessionsUpdated { deleted } }' },
      }),
    );
    const [code, reason] = (await once(socket, 'close')) as [number, Buffer];

    expect(messages.map((message) => message.type)).toEqual(['connection_ack']);
    expect({ code, reason: reason.toString() }).toEqual({
      code: CloseCode.Forbidden,
      reason: 'Forbidden: the token has expired',
    });
  });
});
