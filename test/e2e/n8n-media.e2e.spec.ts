/**
 * Issue 12's outbound workflows in a real n8n, between the real service and the WAHA simulator:
 * a reply and files of each kind (message.send → sendText / sendImage / sendFile / sendVoice),
 * a reaction and its removal (message.react → PUT /api/reaction), a group's participants
 * (group.participants → the groups API) and a LID's phone number (contact.lookup → the lids
 * API). The dashboard's mutations queue the commands; n8n runs WAHA's steps and writes each
 * result back through the internal API; what the dashboard then reads is asserted, and what
 * WAHA received.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ulid } from 'ulid';

import { eventually } from '../support/eventually.js';
import { sampleBytes } from '../tools/waha-sim/sim-media.js';
import { n8nExecutions } from './support/n8n-executions.js';
import {
  type Chat,
  CHAT,
  CREATE,
  type Message,
  MESSAGES,
  REACT,
  REFRESH_GROUP,
  SEND,
  SESSION,
} from './support/outbound-api.js';
import { startStack, type Stack } from './support/stack.js';

/** n8n's runs take seconds each, and minutes on a busy machine; polled gently, as a dashboard would. */
const POLL = { timeoutMs: 180_000, intervalMs: 250 };
const ME = '4915100000088@c.us';
const CUSTOMER = '4917000000021@c.us';

describe('n8n workflows for files, replies, reactions, groups and LIDs (real n8n, WAHA simulator)', () => {
  let stack: Stack;
  let token: string;
  let sessionId: string;

  const gql = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const result = await stack.gql<T>(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  };
  const messagesOf = async (chatId: string): Promise<Message[]> =>
    (
      await gql<{ messages: { edges: { node: Message }[] } }>(MESSAGES, { s: sessionId, c: chatId })
    ).messages.edges.map((e) => e.node);
  /** The message `id` of `chatId` once `check` (which asserts) passes on it. */
  const messageOnce = (chatId: string, id: string, check: (m: Message) => void) =>
    eventually(async () => {
      const message = (await messagesOf(chatId)).find((m) => m.id === id);
      expect(message).toBeDefined();
      check(message!);
      return message!;
    }, POLL);
  /** The received message WAHA delivered as `wahaId`, once the service stored it. */
  const received = (chatId: string, wahaId: string) =>
    eventually(async () => {
      const message = (await messagesOf(chatId)).find((m) => m.wahaId === wahaId);
      expect(message).toBeDefined();
      return message!;
    }, POLL);
  const chatOnce = (chatId: string, check: (c: Chat) => void) =>
    eventually(async () => {
      const { chat } = await gql<{ chat: Chat }>(CHAT, { s: sessionId, c: chatId });
      check(chat);
      return chat;
    }, POLL);
  const wahaCalls = (operation: string) => stack.sim.requests().filter((r) => r.operation === operation);
  /** The runs of `workflowId` that carry `marker` (a command id, a message id) in their data. */
  const runsWith = (workflowId: string, marker: string) =>
    n8nExecutions(stack.n8n.userFolder, workflowId, marker);
  const lastError = async () =>
    (await gql<{ whatsappSession: { lastError: { message: string } | null } }>(SESSION, { id: sessionId }))
      .whatsappSession.lastError;

  /** A file uploaded as a dashboard does (POST /media, the raw bytes): its media id (wf_…). */
  const upload = async (bytes: Buffer, mimetype: string, filename: string): Promise<string> => {
    const query = new URLSearchParams({ sessionId, filename });
    const response = await fetch(`${stack.app.url}/media?${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': mimetype },
      body: new Uint8Array(bytes),
    });
    const answer = (await response.json()) as { id?: string };
    expect({ status: response.status, answer }).toMatchObject({
      status: 201,
      answer: { id: expect.stringMatching(/^wf_[a-z0-9]{26}$/) },
    });
    return answer.id!;
  };

  beforeAll(async () => {
    stack = await startStack({ timeScale: 0.1 });
    token = await stack.token('n8n-media-e2e');
    sessionId = (
      await gql<{ createWhatsappSession: { id: string } }>(CREATE, { input: { displayName: 'Media' } })
    ).createWhatsappSession.id;
    await eventually(() => expect(stack.sim.session(sessionId)?.status).toBe('SCAN_QR_CODE'), POLL);
    stack.sim.link(sessionId, { id: ME, pushName: 'Shop' });
    await eventually(async () => {
      const { whatsappSession } = await gql<{ whatsappSession: { status: string } }>(SESSION, {
        id: sessionId,
      });
      expect(whatsappSession.status).toBe('WORKING');
    }, POLL);
  }, 5 * 60_000);

  afterAll(async () => {
    await stack?.close();
  }, 60_000);

  let question = '';

  it('replies to a message: sendText with reply_to, SENT with WAHA’s id, shown as a reply', async () => {
    question = stack.sim.inbound(sessionId, { from: CUSTOMER, body: 'Do you have it in blue?' }).id;
    await received(CUSTOMER, question);

    const { sendWhatsappMessage: sent } = await gql<{ sendWhatsappMessage: Message }>(SEND, {
      s: sessionId,
      to: CUSTOMER,
      text: 'Yes, in blue',
      replyTo: question,
    });
    expect(sent.status).toBe('PENDING');
    const done = await messageOnce(CUSTOMER, sent.id, (m) => expect(m.status).toBe('SENT'));
    expect(done.replyTo).toEqual({ messageId: question });
    const [call] = wahaCalls('POST /api/sendText').filter((r) =>
      JSON.stringify(r.requestBody).includes('in blue'),
    );
    expect(call!.requestBody).toEqual({
      session: sessionId,
      chatId: CUSTOMER,
      text: 'Yes, in blue',
      reply_to: question,
    });
    expect(done.wahaId).toBe((call!.responseBody as { id: { _serialized: string } }).id._serialized);
  });

  it('sends an image with a caption (as a reply), a document, a voice note and a video by their WAHA endpoints; SENT, then READ', async () => {
    // Real file heads: the upload checks the bytes agree with the type.
    const [image, pdf, voice, video] = [
      sampleBytes('image'),
      sampleBytes('document'),
      sampleBytes('voice'),
      sampleBytes('video'),
    ];
    const sends = [
      {
        kind: 'IMAGE',
        endpoint: 'sendImage',
        bytes: image,
        mimetype: 'image/png',
        filename: 'blue.png',
        text: 'The blue one',
        replyTo: question,
      },
      {
        kind: 'DOCUMENT',
        endpoint: 'sendFile',
        bytes: pdf,
        mimetype: 'application/pdf',
        filename: 'offer.pdf',
        text: '',
      },
      {
        kind: 'VOICE',
        endpoint: 'sendVoice',
        bytes: voice,
        mimetype: 'audio/ogg',
        filename: 'note.ogg',
        text: '',
      },
      {
        kind: 'VIDEO',
        endpoint: 'sendVideo',
        bytes: video,
        mimetype: 'video/mp4',
        filename: 'clip.mp4',
        text: 'A clip',
      },
    ];
    const ids: string[] = [];
    for (const send of sends) {
      const mediaId = await upload(send.bytes, send.mimetype, send.filename);
      const { sendWhatsappMessage: sent } = await gql<{ sendWhatsappMessage: Message }>(SEND, {
        s: sessionId,
        to: CUSTOMER,
        text: send.text,
        mediaId,
        ...(send.replyTo ? { replyTo: send.replyTo } : {}),
      });
      expect(sent).toMatchObject({ status: 'PENDING', type: send.kind });
      ids.push(sent.id);
    }

    for (const [index, send] of sends.entries()) {
      const done = await messageOnce(CUSTOMER, ids[index]!, (m) => expect(m.status).toBe('SENT'));
      // WAHA fetched the file from this service's signed URL and got the very bytes uploaded.
      const got = stack.sim.sentMedia().find((s) => s.messageId === done.wahaId);
      expect(got).toMatchObject({
        session: sessionId,
        endpoint: send.endpoint,
        chatId: CUSTOMER,
        source: 'url',
        mimetype: send.mimetype,
        caption: send.text === '' ? null : send.text,
      });
      expect(got!.bytes.equals(send.bytes)).toBe(true);
      const request = wahaCalls(`POST /api/${send.endpoint}`).find(
        (r) => (r.requestBody as { file: { url: string } }).file.url === got!.url,
      )!.requestBody as Record<string, unknown>;
      expect(request['reply_to']).toBe(send.replyTo);
      // Already in WhatsApp's formats (OGG voice, MP4 video): WAHA need not convert them.
      if (send.endpoint === 'sendVoice') expect(request).toMatchObject({ convert: false });
      if (send.endpoint === 'sendVideo') expect(request).toMatchObject({ convert: false, asNote: false });
      expect(done.replyTo).toEqual(send.replyTo ? { messageId: send.replyTo } : null);
    }

    // The customer's phone reads them: WAHA's acks move each to READ.
    const wahaIds = (await messagesOf(CUSTOMER)).filter((m) => ids.includes(m.id)).map((m) => m.wahaId!);
    for (const wahaId of wahaIds) stack.sim.ack(sessionId, wahaId, 'READ');
    for (const id of ids) await messageOnce(CUSTOMER, id, (m) => expect(m.status).toBe('READ'));
  });

  it('reacts to a received message and removes the reaction: PUT /api/reaction, shown on the message', async () => {
    const reacted = await gql<{ reactToWhatsappMessage: boolean }>(REACT, {
      input: { sessionId, messageId: question, reaction: '👍' },
    });
    expect(reacted.reactToWhatsappMessage).toBe(true);
    await eventually(async () => {
      const message = (await messagesOf(CUSTOMER)).find((m) => m.wahaId === question)!;
      expect(message.reactions).toEqual([{ senderId: ME, fromMe: true, reaction: '👍' }]);
    }, POLL);
    expect(wahaCalls('PUT /api/reaction').map((r) => r.requestBody)).toEqual([
      { session: sessionId, messageId: question, reaction: '👍' },
    ]);

    // Named by our id this time: WAHA is still told its own.
    const ours = (await received(CUSTOMER, question)).id;
    await gql(REACT, { input: { sessionId, messageId: ours, reaction: '' } });
    await eventually(async () => {
      const message = (await messagesOf(CUSTOMER)).find((m) => m.id === ours)!;
      expect(message.reactions).toEqual([]);
      expect(wahaCalls('PUT /api/reaction')).toHaveLength(2);
    }, POLL);
    expect(wahaCalls('PUT /api/reaction')[1]!.requestBody).toEqual({
      session: sessionId,
      messageId: question,
      reaction: '',
    });
    // n8n records a run's end just after its last write-back, which may show first.
    await eventually(
      () =>
        expect(runsWith('whHubMessageReact', question).map((r) => r.status)).toEqual(['success', 'success']),
      POLL,
    );
    expect(await lastError()).toBeNull();
  });

  it("lists a group's participants from WAHA's groups API: phone ids, roles, the subject as its name", async () => {
    const group = stack.sim.createGroup(sessionId, {
      subject: 'Blue team',
      participants: [
        { id: '123456789012345@lid', pn: '4917000000022@c.us', role: 'superadmin' },
        { id: '4917000000023@c.us', role: 'admin' },
        { id: '223456789012345@lid' },
      ],
    });
    const hello = stack.sim.inbound(sessionId, {
      from: group.id,
      participant: '4917000000023@c.us',
      body: 'Hi all',
    });
    await received(group.id, hello.id);

    const queued = await gql<{ refreshWhatsappGroupParticipants: boolean }>(REFRESH_GROUP, {
      s: sessionId,
      c: group.id,
    });
    expect(queued.refreshWhatsappGroupParticipants).toBe(true);
    const chat = await chatOnce(group.id, (c) => expect(c.participantsFetchedAt).not.toBeNull());
    expect(chat).toMatchObject({ chatId: group.id, isGroup: true, name: 'Blue team' });
    const byId = (a: { wahaId: string }, b: { wahaId: string }) => a.wahaId.localeCompare(b.wahaId);
    expect([...chat.participants!].sort(byId)).toEqual(
      [
        { wahaId: '123456789012345@lid', phoneId: '4917000000022@c.us', role: 'superadmin' },
        { wahaId: '4917000000023@c.us', phoneId: '4917000000023@c.us', role: 'admin' },
        { wahaId: '223456789012345@lid', phoneId: null, role: 'participant' },
        { wahaId: ME, phoneId: ME, role: 'participant' },
      ].sort(byId),
    );
    const path = `/api/${sessionId}/groups/${encodeURIComponent(group.id)}`;
    expect(wahaCalls('GET /api/{session}/groups/{id}').map((r) => r.path)).toContain(path);
    expect(wahaCalls('GET /api/{session}/groups/{id}/participants/v2').map((r) => r.path)).toContain(
      `${path}/participants/v2`,
    );
  });

  it("asks WAHA's lids API for a LID's phone number: the LID's chat and the number's chat become one", async () => {
    const lid = '323456789012345@lid';
    const phone = '4917000000024@c.us';
    const byLid = stack.sim.inbound(sessionId, { from: lid, body: 'Hi, by LID' });
    const byPhone = stack.sim.inbound(sessionId, { from: phone, body: 'Hi, by number' });
    await received(lid, byLid.id);
    await received(phone, byPhone.id);

    stack.sim.setLid(sessionId, lid, phone);
    const commandId = ulid();
    const status = await stack.postCommand({
      commandId,
      type: 'contact.lookup',
      tenantId: 'from-the-envelope',
      sessionId,
      payload: { lid },
    });
    expect(status).toBe(202);
    const merged = await chatOnce(lid, (c) => expect([...c.chatIds].sort()).toEqual([phone, lid].sort()));
    expect((await chatOnce(phone, () => undefined)).id).toBe(merged.id);
    const bodies = (await messagesOf(merged.id)).map((m) => m.body).sort();
    expect(bodies).toEqual(['Hi, by LID', 'Hi, by number']);
    const run = await eventually(() => {
      const [found] = runsWith('whHubContactLookup', commandId);
      expect(found?.status).toBe('success');
      return found!;
    }, POLL);
    expect(run!.data).toContain('reportContactIds');
  });

  it('reports a LID WAHA does not know as phoneId null: the run succeeds and nothing changes', async () => {
    const lid = '423456789012345@lid';
    const byLid = stack.sim.inbound(sessionId, { from: lid, body: 'Who am I?' });
    await received(lid, byLid.id);
    const errorBefore = await lastError();
    const commandId = ulid();
    expect(
      await stack.postCommand({
        commandId,
        type: 'contact.lookup',
        tenantId: 't',
        sessionId,
        payload: { lid },
      }),
    ).toBe(202);
    const run = await eventually(() => {
      const [found] = runsWith('whHubContactLookup', commandId);
      expect(found).toBeDefined();
      expect(found!.stoppedAt).not.toBeNull();
      return found!;
    }, POLL);
    expect(run.status).toBe('success');
    expect(wahaCalls('GET /api/{session}/lids/{lid}').map((r) => r.responseBody)).toContainEqual({
      lid,
      pn: null,
    });
    expect((await chatOnce(lid, () => undefined)).chatIds).toEqual([lid]);
    expect(await lastError()).toEqual(errorBefore);
  });

  it('reports a reaction WAHA refused as the session’s error, never as a failed message', async () => {
    const commandId = ulid();
    const unknown = `false_${CUSTOMER}_3EB0000000000000DEAD`;
    const status = await stack.postCommand({
      commandId,
      type: 'message.react',
      tenantId: 'from-the-envelope',
      sessionId,
      payload: { messageId: unknown, reaction: '👍' },
    });
    expect(status).toBe(202);
    const error = await eventually(async () => {
      const found = await lastError();
      expect(found?.message).toEqual(expect.stringMatching(/PUT \/api\/reaction/));
      return found!;
    }, POLL);
    expect(error.message).toMatch(/^WAHA refused PUT \/api\/reaction \(WAHA 500: /);
    await eventually(
      () => expect(runsWith('whHubMessageReact', commandId).map((r) => r.status)).toEqual(['success']),
      POLL,
    );
  });
});
