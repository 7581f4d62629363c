/**
 * Issue 12 as a dashboard sees it: Apollo Client over graphql-ws follows whatsappMessageUpserted
 * while the WAHA simulator delivers real signed webhooks to the service, and files are fetched
 * over real HTTP from the links the API hands out. The service copies each file out of the
 * simulator (which deletes it like WAHA) into its media store. n8n is the real one: the LID
 * lookup (contact.lookup) runs through its workflow.
 *
 * What a person hits: a photo and a voice note arrive and play (bytes, type, a range of the
 * audio); a file WAHA deleted before the copy shows FAILED with why; an edit and a "deleted for
 * everyone" show; a group message shows who wrote it; one customer writing from a phone number
 * and from a LID is one chat; another tenant gets nothing by guessing ids or links.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { parseGlobalId } from '../../src/common/global-ids.js';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { eventually } from '../support/eventually.js';
import { apolloClient, type Collected } from '../realtime/support.js';
import { startStack, type Stack } from './support/stack.js';

const POLL = { timeoutMs: 180_000, intervalMs: 200 };
const ME = '4915100000088@c.us';

const MESSAGE = `id wahaId chatId body type caption hasMedia editedAt previousBody revokedAt
  media { id state mimetype filename size sha256 failureReason downloadUrl }
  author { wahaId phoneId } replyTo { messageId excerpt }`;
const UPSERTED = `subscription($s: ID!) { whatsappMessageUpserted(sessionId: $s) { chat { id chatIds } message { ${MESSAGE} } } }`;
const MESSAGES = `query($s: ID!, $c: ID!) { messages(sessionId: $s, chatId: $c, first: 50) { edges { node { ${MESSAGE} } } } }`;
const CHAT = `query($s: ID!, $c: ID!) { chat(sessionId: $s, chatId: $c) { id chatId chatIds isGroup name participants { wahaId phoneId role } } }`;
const CHATS = `query($s: ID!) { chats(sessionId: $s, first: 100) { edges { node { id chatId chatIds } } } }`;

interface Media {
  id: string;
  state: string;
  mimetype: string | null;
  size: number | null;
  sha256: string | null;
  failureReason: string | null;
  downloadUrl: string | null;
}
interface Message {
  id: string;
  wahaId: string | null;
  chatId: string;
  body: string | null;
  type: string;
  caption: string | null;
  editedAt: string | null;
  previousBody: string | null;
  revokedAt: string | null;
  media: Media | null;
  author: { wahaId: string; phoneId: string | null } | null;
}
interface Upserted {
  whatsappMessageUpserted: { chat: { id: string; chatIds: string[] }; message: Message };
}

describe('a dashboard with files, edits, groups and LIDs (Apollo Client, real n8n, WAHA simulator)', () => {
  let stack: Stack;
  let token: string;
  let sessionId: string;
  let dashboard: ReturnType<typeof apolloClient>;
  let live: { collected: Collected<Upserted>; dispose: () => void };

  const messagesOf = async (chatId: string, as = token): Promise<Message[]> => {
    const result = await stack.gql<{ messages: { edges: { node: Message }[] } }>(
      MESSAGES,
      { s: sessionId, c: chatId },
      as,
    );
    expect(result.errors).toBeUndefined();
    return result.data!.messages.edges.map((edge) => edge.node);
  };
  /** The live event that shows `wahaId` as `match` says, as the dashboard received it. */
  const liveMessage = (wahaId: string, match: (m: Message) => boolean) =>
    eventually(() => {
      if (live.collected.errors.length > 0) throw new Error(JSON.stringify(live.collected.errors));
      const seen = live.collected.items
        .map((event) => event.whatsappMessageUpserted.message)
        .filter((m) => m.wahaId === wahaId && match(m));
      expect(seen.length).toBeGreaterThan(0);
      return seen.at(-1)!;
    }, POLL);

  beforeAll(async () => {
    stack = await startStack({ timeScale: 0.1 });
    token = await stack.token('dashboard-media');
    const created = await stack.gql<{ createWhatsappSession: { id: string } }>(
      `mutation { createWhatsappSession(input: { displayName: "Files" }) { id } }`,
      {},
      token,
    );
    sessionId = created.data!.createWhatsappSession.id;
    await eventually(() => expect(stack.sim.session(sessionId)?.status).toBe('SCAN_QR_CODE'), POLL);
    stack.sim.link(sessionId, { id: ME, pushName: 'Shop' });
    await eventually(async () => {
      const read = await stack.gql<{ whatsappSession: { status: string } }>(
        `query($id: ID!) { whatsappSession(id: $id) { status } }`,
        { id: sessionId },
        token,
      );
      expect(read.data?.whatsappSession.status).toBe('WORKING');
    }, POLL);
    dashboard = apolloClient(stack.app, token);
    const listeners = stack.app.app.get(RealtimeService).listenerCount;
    live = dashboard.subscribe<Upserted>(UPSERTED, { s: sessionId });
    // Events published before the subscription is in place are not replayed: wait for it.
    await eventually(() =>
      expect(stack.app.app.get(RealtimeService).listenerCount).toBeGreaterThan(listeners),
    );
    const hello = stack.sim.inbound(sessionId, { from: '4917000000101@c.us', body: 'hello' });
    await liveMessage(hello.id, () => true);
  }, 5 * 60_000);

  afterAll(async () => {
    live?.dispose();
    await dashboard?.close();
    await stack?.close();
  }, 60_000);

  it('a photo and a voice note arrive PENDING, turn READY live, and download byte for byte (a range of the voice note too)', async () => {
    const photoBytes = Buffer.from(
      '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489',
      'hex',
    );
    const voiceBytes = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(4000, 7)]);
    const photo = stack.sim.inbound(sessionId, {
      from: '4917000000101@c.us',
      media: { kind: 'image', mimetype: 'image/png', bytes: photoBytes, caption: 'the receipt' },
    });
    const voice = stack.sim.inbound(sessionId, {
      from: '4917000000101@c.us',
      media: { kind: 'voice', bytes: voiceBytes },
    });

    const photoLive = await liveMessage(photo.id, (m) => m.media?.state === 'READY');
    expect(photoLive).toMatchObject({ type: 'IMAGE', caption: 'the receipt', hasMedia: true });
    expect(photoLive.media).toMatchObject({ mimetype: 'image/png', size: photoBytes.length });
    const voiceLive = await liveMessage(voice.id, (m) => m.media?.state === 'READY');
    expect(voiceLive.type).toBe('VOICE');

    const got = await fetch(photoLive.media!.downloadUrl!);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await got.arrayBuffer())).toEqual(photoBytes);

    // The dashboard's audio element asks for ranges: a link read from the API now.
    const [stored] = (await messagesOf('4917000000101@c.us')).filter((m) => m.wahaId === voice.id);
    const url = stored!.media!.downloadUrl!;
    const whole = await fetch(url);
    expect(whole.headers.get('content-type')).toMatch(/^audio\/ogg/);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(voiceBytes);
    const part = await fetch(url, { headers: { range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${voiceBytes.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(voiceBytes.subarray(100, 200));
  });

  it('a file WAHA deleted before the copy is FAILED with why (MEDIA_EXPIRED), and offers no link', async () => {
    // WAHA answers its files with 503 until the file is gone (its lifetime passed), then 404.
    stack.sim.setFaults({ status5xx: 503, operation: 'GET /api/files/{session}/{filename}' });
    const late = stack.sim.inbound(sessionId, {
      from: '4917000000101@c.us',
      media: { kind: 'document', mimetype: 'application/pdf', filename: 'invoice.pdf' },
    });
    await liveMessage(late.id, (m) => m.media?.state === 'PENDING');
    stack.sim.expireMedia(sessionId, late.id);
    stack.sim.clearFaults();
    const failed = await liveMessage(late.id, (m) => m.media?.state === 'FAILED');
    expect(failed.media!.failureReason).toMatch(/^MEDIA_EXPIRED/);
    expect(failed.media!.downloadUrl).toBeNull();
  });

  it('an edit and a "deleted for everyone" show live, with the text before the edit kept and the deleted text gone', async () => {
    const original = stack.sim.inbound(sessionId, { from: '4917000000101@c.us', body: 'see you at 5' });
    await liveMessage(original.id, () => true);
    stack.sim.edit(sessionId, { messageId: original.id, body: 'see you at 6' });
    const edited = await liveMessage(original.id, (m) => m.editedAt !== null);
    expect(edited).toMatchObject({ body: 'see you at 6', previousBody: 'see you at 5' });

    stack.sim.revoke(sessionId, { messageId: original.id });
    const revoked = await liveMessage(original.id, (m) => m.revokedAt !== null);
    expect(revoked.body).toBeNull();
    expect(revoked.previousBody).toBeNull();
  });

  it('a group message shows who wrote it; a LID author shows the phone number once the participants are fetched through n8n', async () => {
    stack.sim.createGroup(sessionId, {
      id: '120363000000000001@g.us',
      subject: 'Team',
      participants: [{ id: '4917000000102@c.us' }, { id: '99000000000001@lid', pn: '4917000000103@c.us' }],
    });
    const byPhone = stack.sim.inbound(sessionId, {
      from: '120363000000000001@g.us',
      participant: '4917000000102@c.us',
      body: 'hi all',
    });
    const author = await liveMessage(byPhone.id, () => true);
    expect(author.author).toMatchObject({ wahaId: '4917000000102@c.us', phoneId: '4917000000102@c.us' });
    // WEBJS names no phone number for a LID author (whatsapp-web.js has none): the id alone.
    const byLid = stack.sim.inbound(sessionId, {
      from: '120363000000000001@g.us',
      participant: '99000000000001@lid',
      body: 'me too',
    });
    expect((await liveMessage(byLid.id, () => true)).author).toMatchObject({ wahaId: '99000000000001@lid' });

    const refresh = await stack.gql(
      `mutation($s: ID!, $c: ID!) { refreshWhatsappGroupParticipants(sessionId: $s, chatId: $c) }`,
      { s: sessionId, c: '120363000000000001@g.us' },
      token,
    );
    expect(refresh.errors).toBeUndefined();
    const group = await eventually(async () => {
      const read = await stack.gql<{
        chat: {
          isGroup: boolean;
          name: string | null;
          participants: { wahaId: string; phoneId: string | null }[] | null;
        };
      }>(CHAT, { s: sessionId, c: '120363000000000001@g.us' }, token);
      expect(read.data?.chat.participants).not.toBeNull();
      return read.data!.chat;
    }, POLL);
    expect(group).toMatchObject({ isGroup: true, name: 'Team' });
    expect(group.participants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ wahaId: '4917000000102@c.us' }),
        expect.objectContaining({ wahaId: '99000000000001@lid', phoneId: '4917000000103@c.us' }),
      ]),
    );
  });

  it('one customer by phone number and by LID is one chat: the LID is looked up through n8n and the two chats become one', async () => {
    const phone = '4917000000104@c.us';
    const lid = '88000000000104@lid';
    stack.sim.setLid(sessionId, lid, phone);
    const first = stack.sim.inbound(sessionId, { from: phone, body: 'by number' });
    await liveMessage(first.id, () => true);
    // WEBJS names no phone number on a LID message: the service asks WAHA's lids API through n8n.
    const second = stack.sim.inbound(sessionId, { from: lid, body: 'by lid' });
    await liveMessage(second.id, () => true);

    const merged = await eventually(async () => {
      const chats = await stack.gql<{
        chats: { edges: { node: { id: string; chatId: string; chatIds: string[] } }[] };
      }>(CHATS, { s: sessionId }, token);
      const mine = chats
        .data!.chats.edges.map((edge) => edge.node)
        .filter((c) => c.chatIds.includes(phone) || c.chatIds.includes(lid));
      expect(mine).toHaveLength(1);
      expect([...mine[0]!.chatIds].sort()).toEqual([phone, lid].sort());
      return mine[0]!;
    }, POLL);
    // Either of WAHA's ids opens it, and so does ours, with both messages once each.
    for (const id of [phone, lid, merged.id]) {
      const bodies = (await messagesOf(id)).map((m) => m.body).sort();
      expect(bodies).toEqual(['by lid', 'by number']);
    }
    expect(merged.chatIds).toContain(merged.chatId);
  });

  it("another tenant downloads nothing: not by a guessed id, not by A's link with its id or signature altered, and sees none of A's messages", async () => {
    const photo = stack.sim.inbound(sessionId, {
      from: '4917000000105@c.us',
      media: { kind: 'image', mimetype: 'image/png' },
    });
    const ready = await liveMessage(photo.id, (m) => m.media?.state === 'READY');
    const link = new URL(ready.media!.downloadUrl!);
    const outsider = await stack.token('dashboard-media-other');

    const answers: number[] = [];
    const bare = new URL(link);
    bare.search = '';
    answers.push((await fetch(bare, { headers: { authorization: `Bearer ${outsider}` } })).status);
    for (const [name, value] of link.searchParams) {
      const altered = new URL(link);
      altered.searchParams.set(name, value.slice(0, -1) + (value.endsWith('0') ? '1' : '0'));
      answers.push((await fetch(altered)).status);
    }
    const otherId = new URL(link);
    // A link names the media's row, not its API id.
    const row = parseGlobalId(ready.media!.id)!.key;
    expect(otherId.pathname).toContain(row);
    otherId.pathname = otherId.pathname.replace(row, '01JZZZZZZZZZZZZZZZZZZZZZZZ');
    answers.push((await fetch(otherId)).status);
    expect(answers.every((status) => status === 403 || status === 404)).toBe(true);
    expect((await fetch(link)).status).toBe(200);

    const theirs = await stack.gql(MESSAGES, { s: sessionId, c: '4917000000105@c.us' }, outsider);
    expect(theirs.data).toBeNull();
    expect(JSON.stringify(theirs.errors)).toContain('NOT_FOUND');
  });
});
