/**
 * The part of the conformance run the product's WAHA client does not cover: media, locations,
 * contact cards, replies, groups, LIDs, reactions, edits and revokes, called over WAHA's HTTP
 * API as a client that is not ours would, while the phone side is driven through the simulator.
 */
import { expect } from '@jest/globals';

import type { WahaSimulator } from '../../tools/waha-sim/waha-simulator.js';
import { startFileServer } from './file-server.js';

/** WAHA operations this part calls, each answered 2xx at least once. */
export const MEDIA_OPERATIONS = [
  'POST /api/sendImage',
  'POST /api/sendFile',
  'POST /api/sendVoice',
  'POST /api/sendVideo',
  'PUT /api/reaction',
  'GET /api/{session}/groups',
  'GET /api/{session}/groups/count',
  'GET /api/{session}/groups/{id}',
  'GET /api/{session}/groups/{id}/participants',
  'GET /api/{session}/groups/{id}/participants/v2',
  'GET /api/{session}/lids',
  'GET /api/{session}/lids/count',
  'GET /api/{session}/lids/{lid}',
  'GET /api/{session}/lids/pn/{phoneNumber}',
  'GET /api/files/{session}/{filename}',
] as const;

/** Webhook events this part makes the simulator send. */
export const MEDIA_EVENTS = ['message.reaction', 'message.edited', 'message.revoked'] as const;

export const VCARD =
  'BEGIN:VCARD\nVERSION:3.0\nFN:Jane Doe\nTEL;type=CELL;waid=4915100000009:+49 151 00000009\nEND:VCARD';
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n', 'latin1');
const OGG = Buffer.concat([Buffer.from('OggS', 'latin1'), Buffer.alloc(40)]);

export async function exerciseMedia(sim: WahaSimulator, session: string, chat: string, apiKey: string) {
  const files = await startFileServer({
    '/doc.pdf': { bytes: PDF, type: 'application/pdf' },
    '/voice.ogg': { bytes: OGG, type: 'audio/ogg' },
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(sim.url + path, {
      method,
      headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const answer = await call(method, path, body);
    expect([method, path, answer.status < 300]).toEqual([method, path, true]);
    return answer;
  };
  try {
    const image = sim.inbound(session, {
      from: chat,
      media: { kind: 'image', caption: 'look' },
      pushName: 'Customer',
    });
    for (const kind of ['video', 'audio', 'voice', 'document', 'sticker'] as const) {
      sim.inbound(session, { from: chat, media: { kind } });
    }
    sim.inbound(session, { from: chat, media: { kind: 'image', error: true } });
    sim.inbound(session, { from: chat, location: { latitude: 52.52, longitude: 13.405, name: 'Berlin' } });
    sim.inbound(session, { from: chat, vCards: [VCARD] });
    const reply = sim.inbound(session, { from: chat, body: 'about that', replyTo: image.id });
    await ok('GET', new URL(image.media?.url as string).pathname);

    const group = sim.createGroup(session, {
      subject: 'Team',
      participants: [
        { id: '12345@lid', pn: '4915100000001@c.us', role: 'admin' },
        { id: '4915100000002@c.us' },
      ],
    });
    sim.inbound(session, {
      from: group.id,
      participant: '12345@lid',
      participantPn: '4915100000001@c.us',
      body: 'hi all',
    });
    sim.setLid(session, '67890@lid', '4915100000003@c.us');
    sim.inbound(session, { from: '67890@lid', pn: '4915100000003@c.us', body: 'via lid' });
    const g = encodeURIComponent(group.id);
    await ok(
      'GET',
      `/api/${session}/groups?limit=10&offset=0&sortBy=subject&sortOrder=asc&exclude=participants`,
    );
    await ok('GET', `/api/${session}/groups/count`);
    await ok('GET', `/api/${session}/groups/${g}`);
    await ok('GET', `/api/${session}/groups/${g}/participants`);
    await ok('GET', `/api/${session}/groups/${g}/participants/v2`);
    await ok('GET', `/api/${session}/lids?limit=10&offset=0`);
    await ok('GET', `/api/${session}/lids/count`);
    await ok('GET', `/api/${session}/lids/12345%40lid`);
    await ok('GET', `/api/${session}/lids/99999`);
    await ok('GET', `/api/${session}/lids/pn/4915100000001%40c.us`);
    await ok('GET', `/api/${session}/lids/pn/4915199999999`);

    const png = image.media
      ? (await call('GET', new URL(image.media.url as string).pathname)).bytes
      : Buffer.alloc(0);
    await ok('POST', '/api/sendImage', {
      session,
      chatId: chat,
      file: { mimetype: 'image/png', filename: 'pic.png', data: png.toString('base64') },
      caption: 'a picture',
      reply_to: image.id,
    });
    await ok('POST', '/api/sendFile', {
      session,
      chatId: chat,
      file: { mimetype: 'application/pdf', filename: 'doc.pdf', url: files.url('/doc.pdf') },
      caption: 'the file',
    });
    await ok('POST', '/api/sendVoice', {
      session,
      chatId: chat,
      file: { mimetype: 'audio/ogg; codecs=opus', url: files.url('/voice.ogg') },
      convert: false,
    });
    await ok('POST', '/api/sendVideo', {
      session,
      chatId: chat,
      file: { mimetype: 'video/mp4', filename: 'clip.mp4', data: Buffer.from('video').toString('base64') },
      convert: false,
      caption: 'a clip',
    });
    await ok('PUT', '/api/reaction', { session, messageId: image.id, reaction: '👍' });

    sim.react(session, { messageId: image.id, reaction: '❤️' });
    sim.react(session, { messageId: image.id, reaction: '' });
    sim.edit(session, { messageId: reply.id, body: 'about that, edited' });
    sim.revoke(session, { messageId: reply.id });
  } finally {
    await files.close();
  }
}
