/**
 * WhatsApp's 2026 rules as the simulator plays WAHA: passkey linking and its endpoints (WAHA
 * 2026.7.1's spec), message capping and the reach-out timelock (WAHA 2026.8: on `me`, in a
 * re-issued WORKING, from their GET endpoints, and error 463 for a timelocked reach-out).
 */
import { describe, expect, it } from '@jest/globals';

import { startWahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { CHAT, ME, useSimulator } from './support/simulator-harness.js';

describe('WAHA simulator: passkey linking, message capping, reach-out timelock', () => {
  const harness = useSimulator();
  const { api, fresh, create, linked } = harness;

  const statuses = (name: string) =>
    harness.hooks.events(name, 'session.status').map((h) => h.body.payload as Record<string, unknown>);

  it('links by passkey: PASSKEY_REQUIRED with the challenge, the code to compare, then WORKING with me', async () => {
    const name = fresh();
    await create(name);
    await harness.sim.waitForStatus(name, 'SCAN_QR_CODE');
    harness.sim.linkWithPasskey(name, { me: ME });
    const challenge = await api('GET', `/api/${name}/auth/passkey/challenge`);
    expect(challenge.status).toBe(200);
    expect(challenge.json).toMatchObject({
      rpId: 'web.whatsapp.com',
      timeout: 60000,
      userVerification: 'required',
    });
    // Not a passkey assertion: WAHA's validation.
    expect((await api('POST', `/api/${name}/auth/passkey`, { id: 'x' })).status).toBe(400);
    // Not yet in the confirmation step.
    expect((await api('GET', `/api/${name}/auth/passkey/confirmation`)).status).toBe(422);

    const assertion = {
      id: 'cred',
      rawId: 'cred',
      type: 'public-key',
      response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' },
    };
    expect((await api('POST', `/api/${name}/auth/passkey`, assertion)).status).toBe(201);
    const confirmation = await api('GET', `/api/${name}/auth/passkey/confirmation`);
    const code = (confirmation.json as { code: string }).code;
    expect(code).toMatch(/^\d{4}$/);
    expect((await api('POST', `/api/${name}/auth/passkey/confirm`)).status).toBe(201);
    expect(harness.sim.session(name)).toMatchObject({ status: 'WORKING', me: ME, passkey: null });

    await harness.hooks.waitFor(() => statuses(name).some((p) => p.status === 'WORKING'));
    const passkeySteps = statuses(name).filter((p) => String(p.status).startsWith('PASSKEY'));
    expect(passkeySteps).toEqual([
      expect.objectContaining({ status: 'PASSKEY_REQUIRED', data: challenge.json }),
      expect.objectContaining({ status: 'PASSKEY_CONFIRMATION_REQUIRED', data: { code } }),
    ]);
  });

  it('links by passkey without a code to compare when WhatsApp asks none', async () => {
    const name = fresh();
    await create(name);
    await harness.sim.waitForStatus(name, 'SCAN_QR_CODE');
    harness.sim.linkWithPasskey(name, { confirmWithCode: false });
    expect(harness.sim.passkeyApprove(name).status).toBe('WORKING');
  });

  it('re-issues WORKING with the changed capping and timelock, and shows them on me', async () => {
    const name = fresh();
    await linked(name);
    const cycleEnd = Math.floor(Date.now() / 1000) + 3600;
    harness.sim.setCapping(name, { cappingStatus: 'FIRST_WARNING', totalQuota: 10, usedQuota: 8, cycleEnd });
    harness.sim.setTimelock(name, { timeEnforcementEnds: cycleEnd });
    await harness.hooks.waitFor(() => statuses(name).filter((p) => p.status === 'WORKING').length >= 3);
    const reissued = harness.hooks
      .events(name, 'session.status')
      .filter((h) => (h.body.payload as { data?: unknown }).data !== undefined)
      .map((h) => ({ data: (h.body.payload as { data: unknown }).data, me: h.body.me }));
    expect(reissued.at(-2)!.data).toEqual({
      messageCapping: expect.objectContaining({ cappingStatus: 'FIRST_WARNING', usedQuota: 8, cycleEnd }),
    });
    expect(reissued.at(-1)).toMatchObject({
      data: {
        reachoutTimelock: {
          enforcementType: 'RESTRICT_ALL_COMPANIONS',
          isActive: true,
          timeEnforcementEnds: cycleEnd,
        },
      },
      me: {
        id: ME.id,
        messageCapping: { cappingStatus: 'FIRST_WARNING' },
        reachoutTimelock: { isActive: true },
      },
    });
    expect((await api('GET', `/api/sessions/${name}`)).json).toMatchObject({
      me: { messageCapping: { totalQuota: 10 }, reachoutTimelock: { isActive: true } },
    });
    expect((await api('GET', `/api/sessions/${name}/me`)).json).toMatchObject({
      reachoutTimelock: { isActive: true },
    });
    expect((await api('GET', `/api/sessions/${name}/timelock`)).json).toMatchObject({
      timeEnforcementEnds: cycleEnd,
    });
    // Capping is GOWS's: this simulator is NOWEB.
    expect(await api('GET', `/api/sessions/${name}/capping`)).toMatchObject({ status: 422 });
  });

  it('answers a first message to a new contact with 500 "server returned error 463" while time-locked, not a reply', async () => {
    const name = fresh();
    await linked(name);
    harness.sim.inbound(name, { from: CHAT, body: 'Hello shop' });
    harness.sim.setTimelock(name, {});
    const cold = await api('POST', '/api/sendText', {
      session: name,
      chatId: '4915199999999@c.us',
      text: 'Hi',
    });
    expect(cold.status).toBe(500);
    expect(cold.json).toMatchObject({ statusCode: 500, exception: { message: 'server returned error 463' } });
    expect(
      (await api('POST', '/api/sendText', { session: name, chatId: CHAT, text: 'Hi back' })).status,
    ).toBe(201);
    harness.sim.setTimelock(name, { isActive: false, timeEnforcementEnds: null });
    expect(
      (await api('POST', '/api/sendText', { session: name, chatId: '4915199999999@c.us', text: 'Hi' }))
        .status,
    ).toBe(201);
  });

  it('has capping on GOWS: WAHA’s uncapped answer until WhatsApp says otherwise', async () => {
    const sim = await startWahaSimulator({ engine: 'GOWS', timeScale: 0.05 });
    try {
      await fetch(`${sim.url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'gows', start: true }),
      });
      await sim.waitForStatus('gows', 'SCAN_QR_CODE');
      sim.link('gows', ME);
      const capping = async () => (await fetch(`${sim.url}/api/sessions/gows/capping`)).json();
      expect(await capping()).toMatchObject({ cappingStatus: 'NONE', totalQuota: -1 });
      sim.setCapping('gows', { cappingStatus: 'CAPPED', totalQuota: 5, usedQuota: 5 });
      expect(await capping()).toMatchObject({ cappingStatus: 'CAPPED', usedQuota: 5 });
      // A limit is the account's: none without one.
      expect(() => sim.setCapping('nobody', null)).toThrow(/no session/);
    } finally {
      await sim.close();
    }
  });
});
