/** Inbound media, locations, contact cards and replies, and the files WAHA saves for media. */
import { beforeAll, describe, expect, it } from '@jest/globals';

import { eventually } from '../support/eventually.js';
import { MEDIA_KINDS, sampleBytes } from '../tools/waha-sim/sim-media.js';
import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { VCARD } from './support/conformance-media.js';
import { CHAT, ME, useSimulator } from './support/simulator-harness.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';

type Media = { url: string | null; mimetype: string; filename: string | null; error: unknown };

/** Each kind's default mimetype, the extension WAHA names its file by, and what that file is served as. */
const KINDS = {
  image: ['image/png', 'png', 'image/png'],
  video: ['video/mp4', 'mp4', 'video/mp4'],
  audio: ['audio/mpeg', 'mpga', 'audio/mpeg'],
  voice: ['audio/ogg; codecs=opus', 'oga', 'audio/ogg'],
  document: ['application/pdf', 'pdf', 'application/pdf'],
  sticker: ['image/webp', 'webp', 'image/webp'],
} as const;

const engineId = (wahaId: string) => wahaId.split('_')[2] as string;

describe('WAHA simulator: inbound media and files', () => {
  const harness = useSimulator();
  const { api, fresh, linked } = harness;
  let sim: WahaSimulator;
  let hooks: WebhookReceiver;
  beforeAll(() => {
    ({ sim, hooks } = harness);
  });

  it.each(MEDIA_KINDS)(
    'delivers %s with WAMedia, its file served under /api/files behind the key',
    async (kind) => {
      const name = fresh();
      await linked(name, { events: ['message'] });
      const [mimetype, ext, served] = KINDS[kind];
      const message = sim.inbound(name, { from: CHAT, media: { kind, caption: 'see' } });
      const url = `${sim.url}/api/files/${name}/${engineId(message.id)}.${ext}`;
      expect(message).toMatchObject({
        from: CHAT,
        to: ME.id,
        hasMedia: true,
        body: 'see',
        media: { url, mimetype, filename: kind === 'document' ? 'document.pdf' : null, error: null },
        mediaUrl: url,
      });
      const file = await api('GET', new URL(url).pathname);
      expect([file.status, file.type]).toEqual([200, served]);
      expect(file.bytes.equals(sampleBytes(kind))).toBe(true);
      expect((await api('GET', new URL(url).pathname, undefined, { 'x-api-key': 'wrong' })).status).toBe(401);
      const [hook] = await hooks
        .waitFor(() => hooks.events(name, 'message').length === 1)
        .then(() => hooks.events(name, 'message'));
      expect(hook?.body.payload).toMatchObject({ id: message.id, hasMedia: true, media: { url } });
    },
  );

  it('takes the bytes, mimetype and filename given, as base64 over the control API', async () => {
    const name = fresh();
    await linked(name);
    const bytes = Buffer.from('%PDF-1.7 an invoice');
    const res = await fetch(`${sim.url}/__sim/sessions/${name}/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: CHAT,
        media: {
          kind: 'document',
          mimetype: 'application/pdf',
          filename: 'invoice.pdf',
          bytes: bytes.toString('base64'),
        },
        body: 'your invoice',
      }),
    });
    expect(res.status).toBe(201);
    const message = (await res.json()) as { body: string; media: Media };
    expect(message.body).toBe('your invoice');
    expect(message.media).toMatchObject({ mimetype: 'application/pdf', filename: 'invoice.pdf' });
    const file = await api('GET', new URL(message.media.url as string).pathname);
    expect(file.bytes.equals(bytes)).toBe(true);

    const jpeg = sim.inbound(name, {
      from: CHAT,
      media: { kind: 'image', mimetype: 'image/jpeg', bytes: Buffer.from([0xff, 0xd8, 0xff]) },
    });
    expect(jpeg.media?.url).toMatch(/\.jpeg$/);
    expect((await api('GET', new URL(jpeg.media?.url as string).pathname)).type).toBe('image/jpeg');
  });

  it("gives a failed download url null and WAHA's error, and no file", async () => {
    const name = fresh();
    await linked(name);
    const failed = sim.inbound(name, { from: CHAT, media: { kind: 'voice', error: true } });
    expect(failed.hasMedia).toBe(true);
    expect(failed.media).toEqual({
      url: null,
      mimetype: 'audio/ogg; codecs=opus',
      filename: null,
      error: expect.objectContaining({ message: expect.any(String), details: expect.any(String) }),
    });
    expect(failed).not.toHaveProperty('mediaUrl');
    const own = sim.inbound(name, { from: CHAT, media: { kind: 'image', error: { code: 'E_GONE' } } });
    expect(own.media).toMatchObject({ url: null, error: { code: 'E_GONE' } });
  });

  it("expires files after WHATSAPP_FILES_LIFETIME (scaled) with WAHA's 404; 0 keeps them", async () => {
    const short = await startWahaSimulator({ timeScale: 0.001, filesLifetimeMs: 180_000 }); // 180 ms
    const keep = await startWahaSimulator({ timeScale: 0.001, filesLifetimeMs: 0 });
    try {
      const [a, b] = await Promise.all(
        [short, keep].map(async (s) => {
          await fetch(`${s.url}/api/sessions`, {
            method: 'POST',
            body: JSON.stringify({ name: 'm', start: true }),
            headers: { 'content-type': 'application/json' },
          });
          await s.waitForStatus('m', 'SCAN_QR_CODE');
          s.link('m');
          return s.inbound('m', { from: CHAT, media: { kind: 'image' } }).media?.url as string;
        }),
      );
      expect((await fetch(a as string)).status).toBe(200);
      const gone = await eventually(async () => {
        const res = await fetch(a as string);
        expect(res.status).toBe(404);
        return res.json();
      });
      expect(gone).toEqual({
        error: {
          code: 404,
          key: 'FILE_NOT_FOUND',
          message: 'File not found',
          details: 'File not found or no longer available',
        },
      });
      expect((await fetch(b as string)).status).toBe(200);
    } finally {
      await short.close();
      await keep.close();
    }
  });

  it("expires a message's file on demand (method and control route)", async () => {
    const name = fresh();
    await linked(name);
    const one = sim.inbound(name, { from: CHAT, media: { kind: 'sticker' } });
    const two = sim.inbound(name, { from: CHAT, media: { kind: 'video' } });
    expect(sim.expireMedia(name, one.id)).toEqual({ expired: 1 });
    expect((await api('GET', new URL(one.media?.url as string).pathname)).status).toBe(404);
    const res = await fetch(`${sim.url}/__sim/sessions/${name}/messages/${two.id}/expire-media`, {
      method: 'POST',
    });
    expect([res.status, await res.json()]).toEqual([200, { expired: 1 }]);
    expect((await api('GET', new URL(two.media?.url as string).pathname)).status).toBe(404);
    expect(sim.expireMedia(name, one.id)).toEqual({ expired: 0 });
    expect(() => sim.expireMedia(name, 'false_x@c.us_NOPE')).toThrow(/no message/);
  });

  it('delivers a location and contact cards as WALocation and vCards', async () => {
    const name = fresh();
    await linked(name);
    const here = sim.inbound(name, {
      from: CHAT,
      location: { latitude: 52.520008, longitude: 13.404954, name: 'Alexanderplatz', address: 'Berlin' },
    });
    expect(here).toMatchObject({
      hasMedia: false,
      body: '',
      location: {
        latitude: '52.520008',
        longitude: '13.404954',
        live: false,
        name: 'Alexanderplatz',
        address: 'Berlin',
      },
    });
    expect((here._data as { message: Record<string, unknown> }).message.locationMessage).toMatchObject({
      degreesLatitude: 52.520008,
      degreesLongitude: 13.404954,
    });
    const card = sim.inbound(name, { from: CHAT, vCards: [VCARD] });
    expect(card.vCards).toEqual([VCARD]);
    expect((card._data as { message: Record<string, unknown> }).message.contactMessage).toEqual({
      displayName: 'Jane Doe',
      vcard: VCARD,
    });
  });

  it('fills replyTo with the quoted message (engine id, author, body)', async () => {
    const name = fresh();
    await linked(name);
    const photo = sim.inbound(name, { from: CHAT, media: { kind: 'image', caption: 'this one?' } });
    const reply = sim.inbound(name, { from: CHAT, body: 'or that', replyTo: photo.id });
    expect(reply.replyTo).toEqual({
      id: engineId(photo.id),
      participant: CHAT,
      body: 'this one?',
      hasMedia: true,
    });
    const sent = await api('POST', '/api/sendText', { session: name, chatId: CHAT, text: 'the first' });
    const ownId = (sent.json as { key: { id: string } }).key.id;
    const quoting = sim.inbound(name, { from: CHAT, body: 'ok', replyTo: `true_${CHAT}_${ownId}` });
    expect(quoting.replyTo).toMatchObject({
      id: ownId,
      participant: ME.id,
      body: 'the first',
      hasMedia: false,
    });
    expect(() => sim.inbound(name, { from: CHAT, body: 'x', replyTo: 'false_1@c.us_NOPE' })).toThrow(
      /no message/,
    );
    expect(() => sim.inbound(name, { from: '4915100000077@c.us', body: 'x', replyTo: photo.id })).toThrow(
      /no message/,
    );
  });

  it("carries whatsapp-web.js's _data.type on WEBJS, Baileys' and whatsmeow's own data on NOWEB and GOWS", async () => {
    const sims = await Promise.all(
      (['WEBJS', 'NOWEB', 'GOWS'] as const).map((engine) => startWahaSimulator({ engine, timeScale: 0.01 })),
    );
    try {
      const [webjs, noweb, gows] = await Promise.all(
        sims.map(async (s) => {
          await fetch(`${s.url}/api/sessions`, {
            method: 'POST',
            body: JSON.stringify({ name: 'e', start: true }),
            headers: { 'content-type': 'application/json' },
          });
          await s.waitForStatus('e', 'SCAN_QR_CODE');
          s.link('e', ME);
          return s;
        }),
      );
      const types = [
        ...MEDIA_KINDS.map((kind) => webjs!.inbound('e', { from: CHAT, media: { kind } })),
        webjs!.inbound('e', { from: CHAT, body: 'hi' }),
        webjs!.inbound('e', { from: CHAT, location: { latitude: 1, longitude: 2 } }),
        webjs!.inbound('e', { from: CHAT, vCards: [VCARD] }),
        webjs!.inbound('e', { from: CHAT, vCards: [VCARD, VCARD] }),
      ].map((m) => (m._data as { type: string }).type);
      expect(types).toEqual([
        'image',
        'video',
        'audio',
        'ptt',
        'document',
        'sticker',
        'chat',
        'location',
        'vcard',
        'multi_vcard',
      ]);

      const voice = noweb!.inbound('e', { from: CHAT, media: { kind: 'voice' } });
      expect(voice._data).toMatchObject({
        key: { remoteJid: '4915112345678@s.whatsapp.net', fromMe: false, id: engineId(voice.id) },
        message: { audioMessage: { mimetype: 'audio/ogg; codecs=opus', ptt: true } },
      });
      const doc = gows!.inbound('e', { from: CHAT, media: { kind: 'document' }, pushName: 'Customer' });
      expect(doc._data).toMatchObject({
        Info: {
          Chat: '4915112345678@s.whatsapp.net',
          ID: engineId(doc.id),
          MediaType: 'document',
          PushName: 'Customer',
        },
        Message: { documentMessage: { mimetype: 'application/pdf', fileName: 'document.pdf' } },
      });
    } finally {
      await Promise.all(sims.map((s) => s.close()));
    }
  });

  it('refuses malformed inbound content with 400', async () => {
    const name = fresh();
    await linked(name);
    const bad = [
      { from: CHAT, media: { kind: 'gif' } },
      { from: CHAT, media: { kind: 'image', bytes: '***' } },
      { from: CHAT, media: { kind: 'image' }, location: { latitude: 1, longitude: 1 } },
      { from: CHAT, location: { latitude: 91, longitude: 1 } },
      { from: CHAT, vCards: [] },
      { from: CHAT },
      { from: CHAT, body: 'x', participant: '1@c.us' },
    ];
    for (const body of bad) {
      const res = await fetch(`${sim.url}/__sim/sessions/${name}/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect([body, res.status]).toEqual([body, 400]);
    }
  });
});
