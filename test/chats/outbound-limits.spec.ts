import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { codesOf, type TestApp } from '../support/app.js';
import {
  inboundMessage,
  type LinkedSession,
  type LinkedSessionFixture,
  startLinkedSession,
  webhooksSettled,
} from '../support/linked-session.js';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { mediaRow, outboundRows, REACT, sendOut } from './support/outbound-api.js';

const CUSTOMER = '4917000000701@c.us';
const GROUP = '120363000000000701@g.us';

/**
 * What WhatsApp's limits refuse besides a text to a new contact (session-limits.spec.ts): a
 * file to a new contact while time-locked, a reaction while CAPPED; what they let through: a
 * group, and a file in an existing chat. A refusal writes nothing anywhere.
 */
describe('outbound operations under WhatsApp’s limits', () => {
  let f: LinkedSessionFixture;
  let t: TestApp;
  let sim: WahaSimulator;
  let s: LinkedSession;
  let wahaId: string;

  const react = (reaction: string) =>
    t.gql(REACT, { input: { sessionId: s.id, messageId: wahaId, reaction } }, { token: s.token });

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'limits-out' });
    ({ t, sim, session: s } = f);
    const message = inboundMessage(s, CUSTOMER, 'Is it in stock?', Math.floor(Date.now() / 1000));
    expect((await f.deliver('message', message)).status).toBe(200);
    wahaId = message.id;
  });
  afterAll(async () => {
    await f?.close();
  });

  it('refuses a file to a new contact while time-locked, but sends one in an existing chat and to a group', async () => {
    const until = Math.floor(Date.now() / 1000) + 600;
    sim.setTimelock(s.id, { isActive: true, timeEnforcementEnds: until });
    await webhooksSettled(sim, s.id);
    const photo = await mediaRow(t, s);
    const before = await outboundRows(t);
    const refused = await sendOut(t, s, { to: '+49 170 0000702', text: 'Our catalogue', mediaId: photo });
    expect(codesOf(refused)).toEqual(['SESSION_TIMELOCKED']);
    expect(refused.errors![0]!.extensions).toMatchObject({
      details: { clearsAt: new Date(until * 1000).toISOString() },
    });
    expect(await outboundRows(t)).toBe(before);

    expect(
      (await sendOut(t, s, { to: CUSTOMER, text: 'Here it is', mediaId: photo })).errors,
    ).toBeUndefined();
    expect((await sendOut(t, s, { to: GROUP, text: 'Hello group' })).errors).toBeUndefined();
    expect((await react('👍')).errors).toBeUndefined();
    sim.setTimelock(s.id, null);
    await webhooksSettled(sim, s.id);
  });

  it('refuses a reaction while CAPPED, queuing nothing, and takes it once the cap lifts', async () => {
    const cycleEnd = Math.floor(Date.now() / 1000) + 3600;
    sim.setCapping(s.id, { cappingStatus: 'CAPPED', totalQuota: 3, usedQuota: 3, cycleEnd });
    await webhooksSettled(sim, s.id);
    const before = await outboundRows(t);
    const refused = await react('❤️');
    expect(codesOf(refused)).toEqual(['SESSION_CAPPED']);
    expect(refused.errors![0]!.extensions).toMatchObject({
      details: { clearsAt: new Date(cycleEnd * 1000).toISOString() },
    });
    expect(codesOf(await sendOut(t, s, { to: CUSTOMER, text: 'A reply' }))).toEqual(['SESSION_CAPPED']);
    expect(await outboundRows(t)).toBe(before);

    // A cycle that has ended clears the cap, even before WAHA says so.
    sim.setCapping(s.id, { cappingStatus: 'CAPPED', totalQuota: 3, usedQuota: 3, cycleEnd: 1_700_000_000 });
    await webhooksSettled(sim, s.id);
    expect((await react('❤️')).errors).toBeUndefined();
  });
});
