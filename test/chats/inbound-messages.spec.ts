import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { graphqlWsClient, subscribeWs } from '../realtime/support.js';
import { sql, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { type LinkedSession, webhooksSettled } from '../support/linked-session.js';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import {
  type InboundFixture,
  MESSAGE_PARTS,
  shownMessages,
  startInboundFixture,
} from './support/inbound-fixture.js';

/** A message's row with its media row, across tenants, by WAHA's id. */
async function stored(t: TestApp, wahaId: string) {
  const [row] = await sql<Record<string, unknown>>(
    t,
    `select m.type, m.body, m.has_media, md.state, md.mimetype, md.filename, md.source_url, md.failure_reason,
       md.direction, md.session_id as media_session, md.tenant_id = m.tenant_id as same_tenant,
       md.created_at = m.created_at as same_statement
     from messages m left join media md on md.id = m.media_id where m.waha_id = ?`,
    [wahaId],
  );
  return row;
}

describe('inbound messages keep what WAHA gives (NOWEB engine, through the webhook)', () => {
  let f: InboundFixture;
  let t: TestApp;
  let sim: WahaSimulator;
  let s: LinkedSession;

  beforeAll(async () => {
    f = await startInboundFixture('inbound-co', 'NOWEB');
    ({ t, sim, session: s } = f);
  });
  afterAll(async () => {
    await f?.close();
  });

  it('stores every kind of message with its parts, each file as a PENDING media row with WAHA’s URL, and shows them', async () => {
    const from = '4917000000011@c.us';
    const card = 'BEGIN:VCARD\nVERSION:3.0\nFN:Bob\nTEL:+4917000000012\nEND:VCARD';
    const sent = [
      sim.inbound(s.id, { from, body: 'Hello' }),
      sim.inbound(s.id, { from, media: { kind: 'image', caption: 'The shop' } }),
      sim.inbound(s.id, { from, media: { kind: 'video' } }),
      sim.inbound(s.id, { from, media: { kind: 'audio' } }),
      sim.inbound(s.id, { from, media: { kind: 'voice' } }),
      sim.inbound(s.id, { from, media: { kind: 'document', filename: 'offer.pdf', caption: 'Our offer' } }),
      sim.inbound(s.id, { from, media: { kind: 'sticker' } }),
      sim.inbound(s.id, {
        from,
        location: { latitude: 52.52, longitude: 13.405, name: 'Office', address: 'Berlin' },
      }),
      sim.inbound(s.id, { from, vCards: [card] }),
    ];
    await webhooksSettled(sim, s.id);
    // Sent in the same second, they may be stored in any order: by WAHA's id.
    const shown = new Map((await shownMessages(t, s, from)).map((m) => [m.wahaId, m]));
    expect([...shown.values()].map((m) => m.id)).toEqual(Array(9).fill(expect.stringMatching(/^wm_/)));
    const kinds = ['TEXT', 'IMAGE', 'VIDEO', 'AUDIO', 'VOICE', 'DOCUMENT', 'STICKER', 'LOCATION', 'CONTACT'];
    expect(sent.map((m) => [shown.get(m.id)?.type, shown.get(m.id)?.hasMedia])).toEqual(
      kinds.map((kind, i) => [kind, i >= 1 && i <= 6]),
    );
    expect(shown.get(sent[1]!.id)).toMatchObject({ body: 'The shop', caption: 'The shop' });
    expect(shown.get(sent[5]!.id)).toMatchObject({ caption: 'Our offer' });
    expect(shown.get(sent[0]!.id)).toMatchObject({
      caption: null,
      media: null,
      location: null,
      vCards: null,
    });
    // The dashboard reads each file as PENDING with WAHA's mimetype and name (downloads are off here).
    const mimetypes = [
      'image/png',
      'video/mp4',
      'audio/mpeg',
      'audio/ogg; codecs=opus',
      'application/pdf',
      'image/webp',
    ];
    expect(sent.slice(1, 7).map((m) => shown.get(m.id)!.media)).toEqual(
      mimetypes.map((mimetype, i) => ({
        state: 'PENDING',
        mimetype,
        filename: i === 4 ? 'offer.pdf' : null,
        failureReason: null,
      })),
    );
    expect(shown.get(sent[7]!.id)!.location).toEqual({
      latitude: '52.52',
      longitude: '13.405',
      name: 'Office',
      address: 'Berlin',
      live: false,
    });
    expect(shown.get(sent[8]!.id)!.vCards).toEqual([card]);
    for (const [i, mimetype] of mimetypes.entries()) {
      const message = sent[i + 1]!;
      expect(await stored(t, message.id)).toMatchObject({
        has_media: true,
        state: 'PENDING',
        direction: 'INBOUND',
        mimetype,
        filename: i === 4 ? 'offer.pdf' : null,
        source_url: message.media!.url,
        media_session: s.id,
        same_tenant: true,
        same_statement: true,
      });
    }
    for (const message of [sent[0]!, sent[7]!, sent[8]!]) {
      expect(await stored(t, message.id)).toMatchObject({ has_media: false, state: null });
    }
  });

  it('stores a file WAHA could not download as FAILED with WAHA’s reason, in the message’s statement', async () => {
    const sent = sim.inbound(s.id, { from: '4917000000013@c.us', media: { kind: 'image', error: true } });
    await webhooksSettled(sim, s.id);
    const row = await stored(t, sent.id);
    expect(row).toMatchObject({ type: 'IMAGE', state: 'FAILED', source_url: null, same_statement: true });
    expect(row!['failure_reason']).toBe(
      'MEDIA_NOT_DOWNLOADED: WAHA could not download the file from WhatsApp: Failed to download media from WhatsApp',
    );
  });

  it('pushes a new file to dashboards at once, PENDING, with its mimetype and filename', async () => {
    const client = graphqlWsClient(t, s.token);
    const events = subscribeWs<{
      whatsappMessageUpserted: { message: { id: string; wahaId: string; type: string; media: unknown } };
    }>(
      client,
      `subscription($sessionId: ID!) { whatsappMessageUpserted(sessionId: $sessionId) { message { id wahaId type media { state mimetype filename } } } }`,
      { sessionId: s.id },
    );
    try {
      await eventually(() => expect(t.app.get(RealtimeService).listenerCount).toBeGreaterThanOrEqual(1));
      const sent = sim.inbound(s.id, {
        from: '4917000000014@c.us',
        media: { kind: 'document', filename: 'plan.pdf' },
      });
      const [event] = await events.collected.until((items) =>
        items.some((item) => item.whatsappMessageUpserted.message.wahaId === sent.id),
      );
      expect(event!.whatsappMessageUpserted.message).toEqual({
        id: expect.stringMatching(/^wm_/),
        wahaId: sent.id,
        type: 'DOCUMENT',
        media: { state: 'PENDING', mimetype: 'application/pdf', filename: 'plan.pdf' },
      });
    } finally {
      events.dispose();
      await client.dispose();
    }
  });

  it('keeps a reply as the quoted message’s WAHA id and an excerpt', async () => {
    const from = '4917000000015@c.us';
    const quoted = sim.inbound(s.id, { from, body: `Can you send the offer? ${'x'.repeat(250)}` });
    const reply = sim.inbound(s.id, { from, body: 'Or call me', replyTo: quoted.id });
    await webhooksSettled(sim, s.id);
    const shown = await shownMessages(t, s, from);
    expect(shown.find((m) => m.wahaId === reply.id)!.replyTo).toEqual({
      messageId: quoted.id,
      excerpt: quoted.body.slice(0, 200),
    });
    expect(shown.find((m) => m.wahaId === quoted.id)!.replyTo).toBeNull();
  });

  it('keeps a group message’s author, by LID with the phone number WAHA gives, or by phone number', async () => {
    const group = '120363025246125486@g.us';
    sim.createGroup(s.id, {
      id: group,
      subject: 'Team',
      participants: [{ id: '187743475368085@lid', pn: '4917000000016@c.us' }, { id: '4917000000017@c.us' }],
    });
    const byLid = sim.inbound(s.id, {
      from: group,
      participant: '187743475368085@lid',
      participantPn: '4917000000016@c.us',
      body: 'Hi all',
    });
    const byPhone = sim.inbound(s.id, { from: group, participant: '4917000000017@c.us', body: 'Hello' });
    await webhooksSettled(sim, s.id);
    const authors = new Map((await shownMessages(t, s, group)).map((m) => [m.wahaId, m.author]));
    expect(authors).toEqual(
      new Map([
        [byLid.id, { wahaId: '187743475368085@lid', phoneId: '4917000000016@c.us' }],
        [byPhone.id, { wahaId: '4917000000017@c.us', phoneId: '4917000000017@c.us' }],
      ]),
    );
  });

  it('has one effect for a media message delivered 16 times concurrently: one message, one media row, one command', async () => {
    const template = sim.inbound(s.id, { from: '4917000000018@c.us', media: { kind: 'voice' } });
    await webhooksSettled(sim, s.id);
    // The same kind of message, new to the service, as one event WAHA delivers 16 times at once.
    const message = {
      ...template,
      id: template.id.replace(/_[^_]+$/, '_BAE5C0FFEE16'),
      media: { ...template.media!, url: `${template.media!.url}?copy` },
    };
    const answers = await Promise.all(
      Array.from({ length: 16 }, () => f.deliver('message', message, { id: 'evt_01m8voice16x' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(16).fill(200));
    expect(answers.map((a) => a.body['status']).sort()).toEqual(
      ['stored', ...Array(15).fill('duplicate')].sort(),
    );
    const [counts] = await sql<{ messages: number; media: number; commands: number }>(
      t,
      `select (select count(*) from messages where waha_id = ?)::int as messages,
         (select count(*) from media where source_url = ?)::int as media,
         (select count(*) from outbox_commands where type = 'message.received' and payload->>'messageId' = ?)::int as commands`,
      [message.id, message.media.url, message.id],
    );
    expect(counts).toEqual({ messages: 1, media: 1, commands: 1 });
    expect(await stored(t, message.id)).toMatchObject({
      type: 'VOICE',
      state: 'PENDING',
      same_statement: true,
    });
  });

  it('shows the new fields on the chat list’s last message too', async () => {
    const from = '4917000000019@c.us';
    sim.inbound(s.id, { from, location: { latitude: 1.5, longitude: -2.25 } });
    await webhooksSettled(sim, s.id);
    const result = await t.gql<{
      chats: { edges: { node: { chatId: string; lastMessage: { type: string; location: unknown } } }[] };
    }>(
      `query($sessionId: ID!) { chats(sessionId: $sessionId, first: 100) { edges { node { chatId lastMessage { ${MESSAGE_PARTS} } } } } }`,
      { sessionId: s.id },
      { token: s.token },
    );
    const chat = result.data!.chats.edges.find((edge) => edge.node.chatId === from)!.node;
    expect(chat.lastMessage).toMatchObject({
      type: 'LOCATION',
      location: { latitude: '1.5', longitude: '-2.25', name: null, address: null, live: false },
    });
  });
});

describe('a received file is copied out of WAHA at once', () => {
  let f: InboundFixture;

  beforeAll(async () => {
    // The job polls once a minute here: a copy within seconds is the webhook waking it.
    f = await startInboundFixture('inbound-files-co', 'WEBJS', (sim) => ({
      MEDIA_DOWNLOADS: 'true',
      WAHA_URL: sim.url,
      MEDIA_DOWNLOAD_POLL_INTERVAL_MS: '60000',
    }));
  });
  afterAll(async () => {
    await f?.close();
  });

  it('wakes the download job when it stores a PENDING file: READY with the bytes’ size and hash', async () => {
    const bytes = Buffer.from('%PDF-1.4 a small offer');
    const sent = f.sim.inbound(f.session.id, {
      from: '4917000000021@c.us',
      media: { kind: 'document', filename: 'offer.pdf', bytes },
    });
    await webhooksSettled(f.sim, f.session.id);
    await eventually(
      async () =>
        expect(await stored(f.t, sent.id)).toMatchObject({
          type: 'DOCUMENT',
          state: 'READY',
          filename: 'offer.pdf',
        }),
      { timeoutMs: 20_000 },
    );
    const [row] = await sql<{ size: string; sha256: string }>(
      f.t,
      `select md.size, md.sha256 from messages m join media md on md.id = m.media_id where m.waha_id = ?`,
      [sent.id],
    );
    expect(row).toEqual({
      size: String(bytes.length),
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });
});
