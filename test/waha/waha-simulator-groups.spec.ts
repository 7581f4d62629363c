/** Groups and LIDs: group messages and their authors, WAHA's groups and lids APIs. */
import { beforeAll, describe, expect, it } from '@jest/globals';

import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { CHAT, ME, useSimulator } from './support/simulator-harness.js';

const GROUP = '120363025246125486@g.us';
const LID = '187743475368085@lid';
const PN = '4917000000031@c.us';
const engineId = (wahaId: string) => wahaId.split('_')[2] as string;

describe('WAHA simulator: groups and LIDs', () => {
  const harness = useSimulator();
  const { api, fresh, linked } = harness;
  let sim: WahaSimulator;
  beforeAll(() => {
    ({ sim } = harness);
  });

  const team = (name: string) =>
    sim.createGroup(name, {
      id: GROUP,
      subject: 'Team',
      participants: [
        { id: LID, pn: PN, role: 'superadmin' },
        { id: '4917000000032@c.us', role: 'admin' },
      ],
    });

  it("delivers a group message from its author, the author's phone number in NOWEB's key", async () => {
    const name = fresh();
    await linked(name);
    expect(team(name)).toMatchObject({ id: GROUP, subject: 'Team', description: '' });
    const message = sim.inbound(name, {
      from: GROUP,
      participant: LID,
      participantPn: PN,
      body: 'hi all',
      pushName: 'Ann',
    });
    expect(message).toMatchObject({
      from: GROUP,
      to: ME.id,
      participant: LID,
      fromMe: false,
      body: 'hi all',
    });
    expect(message.id).toBe(`false_${GROUP}_${engineId(message.id)}_${LID}`);
    expect(message._data).toMatchObject({
      key: {
        remoteJid: GROUP,
        participant: LID,
        participantAlt: '4917000000031@s.whatsapp.net',
        addressingMode: 'lid',
      },
    });
    expect(sim.session(name)?.chats).toEqual([{ id: GROUP, name: 'Team', unreadCount: 1, messages: 1 }]);
    const byPhone = sim.inbound(name, { from: GROUP, participant: '4917000000032@c.us', body: 'hello' });
    expect(byPhone._data).toMatchObject({ key: { participant: '4917000000032@s.whatsapp.net' } });
    expect((byPhone._data as { key: object }).key).not.toHaveProperty('participantAlt');

    expect(() => sim.inbound(name, { from: GROUP, body: 'who?' })).toThrow(/participant/);
    expect(() => sim.inbound(name, { from: '120363000000000001@g.us', participant: PN, body: 'x' })).toThrow(
      /no group/,
    );
    expect(() => team(name)).toThrow(/exists/);
  });

  it("delivers a message from a LID with its phone number: NOWEB's remoteJidAlt; WAHA learns the pair", async () => {
    const name = fresh();
    await linked(name);
    const message = sim.inbound(name, { from: LID, pn: PN, body: 'hi' });
    expect(message).toMatchObject({ from: LID, to: ME.id });
    expect(message).not.toHaveProperty('participant');
    expect(message._data).toMatchObject({
      key: { remoteJid: LID, remoteJidAlt: '4917000000031@s.whatsapp.net', addressingMode: 'lid' },
    });
    expect((await api('GET', `/api/${name}/lids/${encodeURIComponent(LID)}`)).json).toEqual({
      lid: LID,
      pn: PN,
    });
    // A pair WAHA knows is carried when the message itself does not say it.
    const again = sim.inbound(name, { from: LID, body: 'again' });
    expect(again._data).toMatchObject({ key: { remoteJidAlt: '4917000000031@s.whatsapp.net' } });
    expect(() => sim.inbound(name, { from: CHAT, pn: PN, body: 'x' })).toThrow(/LID/);
    expect(() => sim.inbound(name, { from: LID, pn: '123@lid', body: 'x' })).toThrow(/c\.us/);
  });

  it("carries the phone number in GOWS's Info.SenderAlt; WEBJS's data has none", async () => {
    const sims = await Promise.all(
      (['GOWS', 'WEBJS'] as const).map((engine) => startWahaSimulator({ engine, timeScale: 0.01 })),
    );
    try {
      for (const s of sims) {
        await fetch(`${s.url}/api/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'l', start: true }),
        });
        await s.waitForStatus('l', 'SCAN_QR_CODE');
        s.link('l', ME);
      }
      const [gows, webjs] = sims as [WahaSimulator, WahaSimulator];
      expect(gows.inbound('l', { from: LID, pn: PN, body: 'hi' })._data).toMatchObject({
        Info: {
          Chat: LID,
          Sender: LID,
          SenderAlt: '4917000000031@s.whatsapp.net',
          AddressingMode: 'lid',
          IsGroup: false,
        },
      });
      gows.createGroup('l', { id: GROUP, subject: 'Team', participants: [{ id: LID, pn: PN }] });
      expect(gows.inbound('l', { from: GROUP, participant: LID, body: 'hi all' })._data).toMatchObject({
        Info: { Chat: GROUP, Sender: LID, SenderAlt: '4917000000031@s.whatsapp.net', IsGroup: true },
      });
      const plain = webjs.inbound('l', { from: LID, pn: PN, body: 'hi' });
      expect(JSON.stringify(plain._data)).not.toContain('4917000000031');
      webjs.createGroup('l', { id: GROUP, subject: 'Team', participants: [{ id: LID, pn: PN }] });
      const inGroup = webjs.inbound('l', { from: GROUP, participant: LID, body: 'hi all' });
      expect(inGroup._data).toMatchObject({ author: LID, id: { participant: LID, _serialized: inGroup.id } });
    } finally {
      await Promise.all(sims.map((s) => s.close()));
    }
  });

  it("answers WAHA's groups API: the engine's groups, count, one group, its participants (v1 and v2)", async () => {
    const name = fresh();
    await linked(name);
    team(name);
    sim.createGroup(name, { id: '120363000000000002@g.us', subject: 'Alpha', participants: [] });
    const list = await api('GET', `/api/${name}/groups?sortBy=subject&sortOrder=asc`);
    const groups = list.json as unknown as { id: string; subject: string; participants?: unknown[] }[];
    expect(groups.map((g) => g.subject)).toEqual(['Alpha', 'Team']);
    expect(groups[1]).toMatchObject({ id: GROUP, subject: 'Team', size: 3, addressingMode: 'lid' });
    const slim = (await api('GET', `/api/${name}/groups?limit=1&offset=1&exclude=participants&sortBy=id`))
      .json as unknown as Record<string, unknown>[];
    expect(slim).toHaveLength(1);
    expect(slim[0]).not.toHaveProperty('participants');
    expect((await api('GET', `/api/${name}/groups/count`)).json).toEqual({ count: 2 });

    const one = await api('GET', `/api/${name}/groups/${encodeURIComponent(GROUP)}`);
    expect(one.json).toMatchObject({ id: GROUP, subject: 'Team', owner: LID });
    const v1 = await api('GET', `/api/${name}/groups/${encodeURIComponent(GROUP)}/participants`);
    expect(v1.json).toEqual([
      { id: LID, phoneNumber: '4917000000031@s.whatsapp.net', lid: LID, admin: 'superadmin' },
      { id: '4917000000032@s.whatsapp.net', admin: 'admin' },
      { id: '4917000000009@s.whatsapp.net', admin: null },
    ]);
    const v2 = await api('GET', `/api/${name}/groups/${encodeURIComponent(GROUP)}/participants/v2`);
    expect(v2.json).toEqual([
      { id: LID, pn: PN, role: 'superadmin' },
      { id: '4917000000032@c.us', role: 'admin' },
      { id: ME.id, role: 'participant' },
    ]);
    const unknown = await api('GET', `/api/${name}/groups/${encodeURIComponent('120363000000000009@g.us')}`);
    expect([unknown.status, unknown.json?.error]).toEqual([404, 'Not Found']);
    expect((await api('GET', `/api/${name}/groups?sortBy=size`)).status).toBe(400);
  });

  it("answers WAHA's lids API: list, count, by lid, by phone number, nulls when unknown", async () => {
    const name = fresh();
    await linked(name);
    expect(sim.setLid(name, LID, PN)).toEqual({ lid: LID, pn: PN });
    sim.setLid(name, '287743475368085@lid', '4917000000033@c.us');
    expect((await api('GET', `/api/${name}/lids`)).json).toEqual([
      { lid: LID, pn: PN },
      { lid: '287743475368085@lid', pn: '4917000000033@c.us' },
    ]);
    expect((await api('GET', `/api/${name}/lids?limit=1&offset=1`)).json).toEqual([
      { lid: '287743475368085@lid', pn: '4917000000033@c.us' },
    ]);
    expect((await api('GET', `/api/${name}/lids/count`)).json).toEqual({ count: 2 });
    expect((await api('GET', `/api/${name}/lids/187743475368085`)).json).toEqual({ lid: LID, pn: PN });
    expect((await api('GET', `/api/${name}/lids/pn/4917000000031`)).json).toEqual({ lid: LID, pn: PN });
    expect((await api('GET', `/api/${name}/lids/pn/${encodeURIComponent(PN)}`)).json).toEqual({
      lid: LID,
      pn: PN,
    });
    expect((await api('GET', `/api/${name}/lids/999`)).json).toEqual({ lid: '999@lid', pn: null });
    expect((await api('GET', `/api/${name}/lids/pn/4917000000099`)).json).toEqual({
      lid: null,
      pn: '4917000000099@c.us',
    });
    expect(() => sim.setLid(name, PN, LID)).toThrow(/lid/);
  });

  it('creates groups and LIDs over the control API; a logout forgets them', async () => {
    const name = fresh();
    await linked(name);
    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${sim.url}/__sim/sessions/${name}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const created = await post('groups', { subject: 'Shop', participants: [{ id: PN }] });
    expect(created).toMatchObject({
      status: 201,
      json: { subject: 'Shop', id: expect.stringMatching(/^120363\d+@g\.us$/) },
    });
    expect(await post('lids', { lid: LID, pn: PN })).toEqual({ status: 200, json: { lid: LID, pn: PN } });
    expect((await post('groups', { subject: 'x', participants: [{ id: 'bad' }] })).status).toBe(400);
    expect((await post('lids', { lid: 'bad', pn: PN })).status).toBe(400);
    expect(sim.session(name)).toMatchObject({ lids: [{ lid: LID, pn: PN }], groups: [{ subject: 'Shop' }] });

    await api('POST', `/api/sessions/${name}/logout`);
    expect(sim.session(name)).toMatchObject({ groups: [], lids: [], chats: [] });
  });
});
