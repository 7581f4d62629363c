/** Reactions, edits and revokes: WAHA's message.reaction, message.edited and message.revoked. */
import { beforeAll, describe, expect, it } from '@jest/globals';

import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { CHAT, ME, useSimulator } from './support/simulator-harness.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

const engineId = (wahaId: string) => wahaId.split('_')[2] as string;
const EVENTS = ['message.reaction', 'message.edited', 'message.revoked'];

describe('WAHA simulator: reactions, edits, revokes', () => {
  const harness = useSimulator();
  const { api, fresh, linked } = harness;
  let sim: WahaSimulator;
  let hooks: WebhookReceiver;
  beforeAll(() => {
    ({ sim, hooks } = harness);
  });

  const only = async (name: string, event: string, count = 1) => {
    await hooks.waitFor(() => hooks.events(name, event).length >= count);
    return hooks.events(name, event).map((h) => h.body.payload);
  };

  it('sends message.reaction for a reaction and for its removal', async () => {
    const name = fresh();
    await linked(name, { events: EVENTS });
    const hi = sim.inbound(name, { from: CHAT, body: 'hi' });
    const added = sim.react(name, { messageId: hi.id, reaction: '👍' });
    expect(added).toEqual({
      id: expect.stringMatching(new RegExp(`^false_${CHAT}_[0-9A-F]+$`)),
      timestamp: expect.any(Number),
      from: CHAT,
      fromMe: false,
      source: 'app',
      to: ME.id,
      participant: CHAT,
      reaction: { text: '👍', messageId: hi.id },
    });
    const removed = sim.react(name, { messageId: hi.id, reaction: '' });
    expect(removed.reaction).toEqual({ text: '', messageId: hi.id });
    const mine = sim.react(name, { messageId: hi.id, from: ME.id, reaction: '🙏' });
    expect(mine).toMatchObject({ fromMe: true, from: ME.id, to: CHAT, participant: ME.id });
    expect(
      (await only(name, 'message.reaction', 3)).map((p) => (p.reaction as { text: string }).text).sort(),
    ).toEqual(['', '👍', '🙏'].sort());
    expect(() => sim.react(name, { messageId: hi.id, from: '4915100000001@c.us', reaction: 'x' })).toThrow(
      /only/,
    );
    expect(() => sim.react(name, { messageId: 'nope', reaction: 'x' })).toThrow(/no message/);
  });

  it("sends message.edited with the new body and the edited message's engine id; the chat shows the edit", async () => {
    const name = fresh();
    await linked(name, { events: EVENTS });
    const typo = sim.inbound(name, { from: CHAT, body: 'helo' });
    const edited = sim.edit(name, { messageId: typo.id, body: 'hello' });
    expect(edited).toMatchObject({
      from: CHAT,
      fromMe: false,
      to: ME.id,
      body: 'hello',
      editedMessageId: engineId(typo.id),
      hasMedia: false,
    });
    // NOWEB carries the edit as a message of its own, naming the original in a protocol message.
    expect(edited.id).not.toBe(typo.id);
    expect(edited._data).toMatchObject({
      message: {
        protocolMessage: {
          key: { id: engineId(typo.id) },
          type: 'MESSAGE_EDIT',
          editedMessage: { conversation: 'hello' },
        },
      },
    });
    expect((await only(name, 'message.edited'))[0]).toMatchObject({
      body: 'hello',
      editedMessageId: engineId(typo.id),
    });
    const stored = await api('GET', `/api/${name}/chats/${CHAT}/messages`);
    expect(
      (stored.json as unknown as { id: string; body: string }[]).find((m) => m.id === typo.id)?.body,
    ).toBe('hello');
  });

  it('sends message.revoked (before null on NOWEB); the chat keeps an empty message', async () => {
    const name = fresh();
    await linked(name, { events: EVENTS });
    const photo = sim.inbound(name, { from: CHAT, media: { kind: 'image', caption: 'oops' } });
    const revoked = sim.revoke(name, { messageId: photo.id });
    expect(revoked).toMatchObject({
      revokedMessageId: engineId(photo.id),
      before: null,
      after: { from: CHAT, fromMe: false, body: '', hasMedia: false },
    });
    expect(revoked.after.id).toMatch(new RegExp(`^false_${CHAT}_`));
    expect((await only(name, 'message.revoked'))[0]).toMatchObject({
      revokedMessageId: engineId(photo.id),
      before: null,
    });
    const stored = (await api('GET', `/api/${name}/chats/${CHAT}/messages`)).json as unknown as Record<
      string,
      unknown
    >[];
    expect(stored.find((m) => m.id === photo.id)).toMatchObject({ body: '', hasMedia: false });
    expect(stored.find((m) => m.id === photo.id)).not.toHaveProperty('media');
  });

  it('on WEBJS: edit and revoke keep the message id; revoke sends the message as it was', async () => {
    const webjs = await startWahaSimulator({ engine: 'WEBJS', timeScale: 0.01 });
    try {
      await fetch(`${webjs.url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'w', start: true }),
      });
      await webjs.waitForStatus('w', 'SCAN_QR_CODE');
      webjs.link('w', ME);
      const hi = webjs.inbound('w', { from: CHAT, body: 'hi' });
      expect(webjs.edit('w', { messageId: hi.id, body: 'hey' }).id).toBe(hi.id);
      const revoked = webjs.revoke('w', { messageId: hi.id });
      expect(revoked.before).toMatchObject({ id: hi.id, body: 'hey' });
      expect(revoked.after).toMatchObject({ id: hi.id, body: '', _data: { type: 'revoked' } });
    } finally {
      await webjs.close();
    }
  });

  it('delivers the new events only to webhooks that name them, or *', async () => {
    const other = await startWebhookReceiver();
    try {
      const name = fresh();
      await harness.create(name, { events: ['message'] });
      await api('PUT', `/api/sessions/${name}`, {
        config: {
          webhooks: [
            { url: hooks.url, events: ['message'] },
            { url: other.url, events: ['*'] },
          ],
        },
      });
      await sim.waitForStatus(name, 'SCAN_QR_CODE');
      sim.link(name, ME);
      const hi = sim.inbound(name, { from: CHAT, body: 'hi' });
      sim.react(name, { messageId: hi.id, reaction: '👍' });
      sim.edit(name, { messageId: hi.id, body: 'hey' });
      sim.revoke(name, { messageId: hi.id });
      await other.waitFor(() => EVENTS.every((e) => other.events(name, e).length === 1));
      await hooks.waitFor(() => hooks.events(name, 'message').length === 1);
      expect(hooks.received.filter((h) => h.body.session === name).map((h) => h.body.event)).toEqual([
        'message',
      ]);
    } finally {
      await other.close();
    }
  });

  it('accepts the new event names in a session config and refuses unknown ones', async () => {
    const ok = await api('POST', '/api/sessions', {
      name: fresh(),
      config: {
        webhooks: [{ url: hooks.url, events: ['message.reaction', 'message.edited', 'message.revoked'] }],
      },
    });
    expect(ok.status).toBe(201);
    const bad = await api('POST', '/api/sessions', {
      name: fresh(),
      config: { webhooks: [{ url: hooks.url, events: ['message.deleted'] }] },
    });
    expect(bad.status).toBe(400);
    expect((bad.json?.message as string[])[0]).toMatch(
      /^config\.webhooks\.0\.each value in events must be one of/,
    );
  });

  it('reacts, edits and revokes over the control API', async () => {
    const name = fresh();
    await linked(name, { events: EVENTS });
    const hi = sim.inbound(name, { from: CHAT, body: 'hi' });
    const post = async (path: string, body: unknown = {}) => {
      const res = await fetch(`${sim.url}/__sim/sessions/${name}/messages/${hi.id}/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    expect(await post('react', { reaction: '😀' })).toMatchObject({
      status: 201,
      json: { reaction: { text: '😀' } },
    });
    expect(await post('edit', { body: 'hey' })).toMatchObject({ status: 201, json: { body: 'hey' } });
    expect(await post('revoke')).toMatchObject({ status: 201, json: { revokedMessageId: engineId(hi.id) } });
    expect((await post('react', {})).status).toBe(400);
    expect((await post('edit', {})).status).toBe(400);
  });
});
