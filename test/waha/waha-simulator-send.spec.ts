/** Sending media (by URL or base64), reacting through WAHA's API, and replies in sends. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import { startFileServer, type FileServer } from './support/file-server.js';
import { CHAT, ME, useSimulator } from './support/simulator-harness.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';

const PDF = Buffer.from('%PDF-1.7 a price list');
const OGG = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(30, 1)]);
const engineId = (wahaId: string) => wahaId.split('_')[2] as string;

describe('WAHA simulator: sending media and reactions', () => {
  const harness = useSimulator();
  const { api, fresh, linked } = harness;
  let sim: WahaSimulator;
  let hooks: WebhookReceiver;
  let files: FileServer;
  beforeAll(async () => {
    ({ sim, hooks } = harness);
    files = await startFileServer({
      '/prices.pdf': { bytes: PDF, type: 'application/pdf' },
      '/note.ogg': { bytes: OGG, type: 'audio/ogg' },
    });
  });
  afterAll(async () => {
    await files.close();
  });

  const anyOf = async (name: string, id: string) => {
    await hooks.waitFor(() => hooks.events(name, 'message.any').some((h) => h.body.payload.id === id));
    return hooks.events(name, 'message.any').find((h) => h.body.payload.id === id)?.body.payload;
  };

  it('sends a file from a URL: WAHA fetches it, stores the message with the file, and records what it got', async () => {
    const name = fresh();
    await linked(name, { events: ['message.any', 'message.ack'] });
    const res = await api('POST', '/api/sendFile', {
      session: name,
      chatId: CHAT,
      file: { mimetype: 'application/pdf', filename: 'prices.pdf', url: files.url('/prices.pdf') },
      caption: 'our prices',
    });
    expect(res.status).toBe(201);
    const key = (res.json as { key: { remoteJid: string; fromMe: boolean; id: string } }).key;
    expect(key).toMatchObject({ remoteJid: '4915112345678@s.whatsapp.net', fromMe: true });
    expect(res.json).toMatchObject({
      message: {
        documentMessage: { mimetype: 'application/pdf', fileName: 'prices.pdf', caption: 'our prices' },
      },
      status: 'PENDING',
    });
    const id = `true_${CHAT}_${key.id}`;
    expect(files.requested).toContain('/prices.pdf');
    expect(sim.sentMedia().find((m) => m.messageId === id)).toEqual({
      session: name,
      endpoint: 'sendFile',
      chatId: CHAT,
      messageId: id,
      source: 'url',
      url: files.url('/prices.pdf'),
      mimetype: 'application/pdf',
      filename: 'prices.pdf',
      caption: 'our prices',
      fetchedContentType: 'application/pdf',
      bytes: PDF,
    });

    const sent = await anyOf(name, id);
    expect(sent).toMatchObject({
      fromMe: true,
      source: 'api',
      from: ME.id,
      to: CHAT,
      body: 'our prices',
      hasMedia: true,
      ack: 0,
      media: { mimetype: 'application/pdf', filename: 'prices.pdf', error: null },
    });
    const stored = await api('GET', new URL((sent?.media as { url: string }).url).pathname);
    expect(stored.bytes.equals(PDF)).toBe(true);
    expect(sim.ack(name, id, 'DEVICE')).toMatchObject({ id, ack: 2, ackName: 'DEVICE' });
    await hooks.waitFor(() => hooks.events(name, 'message.ack').length === 1);

    const over = (await fetch(`${sim.url}/__sim/sent-media`).then((r) => r.json())) as {
      messageId: string;
      bytes: string;
    }[];
    expect(over.find((m) => m.messageId === id)?.bytes).toBe(PDF.toString('base64'));
  });

  it('sends an image and a video from base64 data and a voice note from a URL, each as its kind', async () => {
    const name = fresh();
    await linked(name);
    const data = (b: Buffer) => b.toString('base64');
    const image = await api('POST', '/api/sendImage', {
      session: name,
      chatId: CHAT,
      file: {
        mimetype: 'image/jpeg',
        filename: 'shoe.jpg',
        data: data(Buffer.from([0xff, 0xd8, 0xff, 0xe0])),
      },
      caption: 'in blue',
    });
    const voice = await api('POST', '/api/sendVoice', {
      session: name,
      chatId: CHAT,
      file: { mimetype: 'audio/ogg; codecs=opus', url: files.url('/note.ogg') },
      convert: false,
    });
    const video = await api('POST', '/api/sendVideo', {
      session: name,
      chatId: CHAT,
      file: { mimetype: 'video/mp4', filename: 'clip.mp4', data: data(Buffer.from('mp4')) },
      convert: false,
      caption: 'watch',
    });
    expect([image.status, voice.status, video.status]).toEqual([201, 201, 201]);
    expect(image.json).toMatchObject({
      message: { imageMessage: { mimetype: 'image/jpeg', caption: 'in blue' } },
    });
    expect(voice.json).toMatchObject({
      message: { audioMessage: { mimetype: 'audio/ogg; codecs=opus', ptt: true } },
    });
    expect(video.json).toMatchObject({
      message: { videoMessage: { mimetype: 'video/mp4', caption: 'watch' } },
    });
    const kinds = sim.sentMedia().filter((m) => m.session === name);
    expect(kinds.map((m) => [m.endpoint, m.source, m.caption])).toEqual([
      ['sendImage', 'data', 'in blue'],
      ['sendVoice', 'url', null],
      ['sendVideo', 'data', 'watch'],
    ]);
    expect(kinds[1]?.bytes.equals(OGG)).toBe(true);
    const messages = (await api('GET', `/api/${name}/chats/${CHAT}/messages?sortOrder=asc`))
      .json as unknown as {
      media: { url: string };
    }[];
    expect(messages.map((m) => new URL(m.media.url).pathname.split('.').pop())).toEqual([
      'jpeg',
      'oga',
      'mp4',
    ]);
  });

  it("answers WAHA's 500 when the URL cannot be fetched, and sends nothing", async () => {
    const name = fresh();
    await linked(name);
    const missing = await api('POST', '/api/sendImage', {
      session: name,
      chatId: CHAT,
      file: { mimetype: 'image/png', url: files.url('/nope.png') },
    });
    expect(missing.status).toBe(500);
    expect(missing.json).toMatchObject({
      statusCode: 500,
      timestamp: expect.any(String),
      exception: { message: 'Request failed with status code 404', name: 'Error' },
      request: { path: '/api/sendImage', method: 'POST', body: { session: name } },
      version: '2026.7.1',
    });
    const refused = await api('POST', '/api/sendFile', {
      session: name,
      chatId: CHAT,
      file: { mimetype: 'application/pdf', url: 'http://127.0.0.1:9/x.pdf' },
    });
    expect(refused.status).toBe(500);
    expect(sim.session(name)?.chats).toEqual([]);
    expect(sim.sentMedia().filter((m) => m.session === name)).toEqual([]);
  });

  it('refuses a send without a file (400) and outside WORKING (422)', async () => {
    const name = fresh();
    await linked(name);
    const noFile = await api('POST', '/api/sendImage', {
      session: name,
      chatId: CHAT,
      file: { mimetype: 'image/png' },
    });
    expect([noFile.status, noFile.json?.message]).toEqual([400, ['file must have a url or base64 data']]);
    await api('POST', `/api/sessions/${name}/stop`);
    const stopped = await api('POST', '/api/sendFile', {
      session: name,
      chatId: CHAT,
      file: { mimetype: 'application/pdf', data: PDF.toString('base64') },
    });
    expect([stopped.status, stopped.json?.status]).toEqual([422, 'STOPPED']);
  });

  it('fills replyTo of a sent message from reply_to (sendText and sendImage)', async () => {
    const name = fresh();
    await linked(name, { events: ['message.any'] });
    const question = sim.inbound(name, { from: CHAT, body: 'in blue?' });
    const text = await api('POST', '/api/sendText', {
      session: name,
      chatId: CHAT,
      text: 'yes',
      reply_to: question.id,
    });
    const textId = `true_${CHAT}_${(text.json as { key: { id: string } }).key.id}`;
    expect((await anyOf(name, textId))?.replyTo).toEqual({
      id: engineId(question.id),
      participant: CHAT,
      body: 'in blue?',
      hasMedia: false,
    });
    expect(text.json).toMatchObject({
      message: { extendedTextMessage: { contextInfo: { stanzaId: engineId(question.id) } } },
    });
    const image = await api('POST', '/api/sendImage', {
      session: name,
      chatId: CHAT,
      file: { mimetype: 'image/png', data: Buffer.from('png').toString('base64') },
      reply_to: question.id,
    });
    const imageId = `true_${CHAT}_${(image.json as { key: { id: string } }).key.id}`;
    expect((await anyOf(name, imageId))?.replyTo).toMatchObject({ id: engineId(question.id) });
    // A message WAHA does not know is sent without the quote.
    const lost = await api('POST', '/api/sendText', {
      session: name,
      chatId: CHAT,
      text: 'hm',
      reply_to: 'false_x@c.us_GONE',
    });
    expect(lost.status).toBe(201);
  });

  it('reacts through PUT /api/reaction: 200, and message.reaction fromMe with source api', async () => {
    const name = fresh();
    await linked(name, { events: ['message.reaction'] });
    const hi = sim.inbound(name, { from: CHAT, body: 'hi' });
    const res = await api('PUT', '/api/reaction', { session: name, messageId: hi.id, reaction: '👍' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      message: { reactionMessage: { key: { id: engineId(hi.id) }, text: '👍' } },
    });
    await hooks.waitFor(() => hooks.events(name, 'message.reaction').length === 1);
    expect(hooks.events(name, 'message.reaction')[0]?.body.payload).toMatchObject({
      fromMe: true,
      source: 'api',
      from: ME.id,
      to: CHAT,
      participant: ME.id,
      reaction: { text: '👍', messageId: hi.id },
    });
    const unknown = await api('PUT', '/api/reaction', {
      session: name,
      messageId: 'false_x@c.us_GONE',
      reaction: '👍',
    });
    expect(unknown.status).toBe(500);

    const webjs = await startWahaSimulator({ engine: 'WEBJS', timeScale: 0.01 });
    try {
      await fetch(`${webjs.url}/api/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'r', start: true }),
      });
      await webjs.waitForStatus('r', 'SCAN_QR_CODE');
      webjs.link('r', ME);
      const msg = webjs.inbound('r', { from: CHAT, body: 'hi' });
      const empty = await fetch(`${webjs.url}/api/reaction`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ session: 'r', messageId: msg.id, reaction: '👍' }),
      });
      expect([empty.status, empty.headers.get('content-length'), await empty.text()]).toEqual([200, '0', '']);
    } finally {
      await webjs.close();
    }
  });
});
