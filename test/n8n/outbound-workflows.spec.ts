/**
 * The workflows of issue 12's outbound steps, node by node on what the service sends and WAHA
 * answers: message.send with a file or a reply (WAHA's send requests by kind), message.react,
 * group.participants and contact.lookup (WAHA's requests, and the write-backs they make).
 */
import { describe, expect, it } from '@jest/globals';

import { byName, evalExpression, runCode, targets, workflowOf } from './support.js';

const WAHA = { WAHA_URL: 'http://waha:3000' };
const envelope = (type: string, payload: Record<string, unknown>, sessionId = 'ws_1') => ({
  body: { commandId: 'c1', type, tenantId: 't1', sessionId, attempt: 1, payload },
});

describe('message.send: a text, a file by kind, a reply', () => {
  const send = () => workflowOf('whHubMessageSend');
  const text = {
    messageId: 'm1',
    chatId: '491@c.us',
    phoneNumber: null,
    text: 'Hi',
    replyTo: null,
    media: null,
  };
  const file = (kind: string, mimetype: string, filename: string | null = null) => ({
    kind,
    url: 'http://hub:3000/media/send/abc?sig=x',
    mimetype,
    filename,
  });
  const command = (payload: Record<string, unknown>) =>
    runCode(send(), 'Command', envelope('message.send', payload))[0]!.json;
  const compose = (payload: Record<string, unknown>) =>
    runCode(
      send(),
      'Compose message',
      { chatId: '491@c.us' },
      { Command: { sessionId: 'ws_1', payload } },
    )[0]!.json;

  it('accepts a text, a reply and a file with an empty caption; refuses what WAHA could not send, tagged with the message', () => {
    expect(command(text)['payload']).toEqual(text);
    expect(command({ ...text, replyTo: 'false_491@c.us_AAA' })['payload']).toMatchObject({
      replyTo: 'false_491@c.us_AAA',
    });
    expect(command({ ...text, text: '', media: file('image', 'image/jpeg') })['payload']).toMatchObject({
      media: { kind: 'image' },
    });
    const refused = (payload: Record<string, unknown>, why: string) =>
      expect(() => command(payload)).toThrow(
        `[whatsapp-hub session=ws_1 command=c1 message=m1] Invalid message.send command: ${why}`,
      );
    refused({ ...text, text: '' }, 'payload.text is missing');
    refused(
      { ...text, media: file('sticker', 'image/webp') },
      'payload.media.kind must be image, video, voice or document',
    );
    refused(
      { ...text, media: { ...file('image', 'image/png'), url: 'file:///etc/passwd' } },
      'payload.media.url must be an http(s) URL',
    );
    refused({ ...text, media: file('image', 'jpeg') }, 'payload.media.mimetype must be a MIME type');
    refused(
      { ...text, media: file('voice', 'audio/ogg') },
      'a voice message has no caption (WAHA sendVoice takes none)',
    );
    refused({ ...text, replyTo: '' }, 'payload.replyTo must be a WAHA message id or null');
  });

  it('sends a text to sendText, with reply_to only when replying', () => {
    expect(compose(text)).toEqual({
      path: '/api/sendText',
      body: { session: 'ws_1', chatId: '491@c.us', text: 'Hi' },
    });
    expect(compose({ ...text, replyTo: 'false_491@c.us_AAA' })).toEqual({
      path: '/api/sendText',
      body: { session: 'ws_1', chatId: '491@c.us', text: 'Hi', reply_to: 'false_491@c.us_AAA' },
    });
  });

  it("sends a file to WAHA's endpoint for its kind, as a RemoteFile with the text as caption", () => {
    const url = file('image', 'x').url;
    expect(
      compose({ ...text, text: 'Look', media: file('image', 'image/jpeg', 'a.jpg'), replyTo: 'r1' }),
    ).toEqual({
      path: '/api/sendImage',
      body: {
        session: 'ws_1',
        chatId: '491@c.us',
        file: { url, mimetype: 'image/jpeg', filename: 'a.jpg' },
        caption: 'Look',
        reply_to: 'r1',
      },
    });
    // A document without a name (RemoteFile's filename may be left out) and without a caption.
    expect(compose({ ...text, text: '', media: file('document', 'application/pdf') })).toEqual({
      path: '/api/sendFile',
      body: { session: 'ws_1', chatId: '491@c.us', file: { url, mimetype: 'application/pdf' } },
    });
    // Voice: no caption, no filename; converted unless it is already OGG (Opus).
    expect(compose({ ...text, text: '', media: file('voice', 'audio/mpeg', 'v.mp3') })).toEqual({
      path: '/api/sendVoice',
      body: { session: 'ws_1', chatId: '491@c.us', file: { url, mimetype: 'audio/mpeg' }, convert: true },
    });
    expect(
      compose({ ...text, text: '', media: file('voice', 'audio/ogg; codecs=opus') })['body'],
    ).toMatchObject({
      convert: false,
    });
    // Video: WAHA needs a filename; converted unless MP4.
    expect(compose({ ...text, text: 'Clip', media: file('video', 'video/mp4') })).toEqual({
      path: '/api/sendVideo',
      body: {
        session: 'ws_1',
        chatId: '491@c.us',
        file: { url, mimetype: 'video/mp4', filename: 'video.mp4' },
        caption: 'Clip',
        convert: false,
        asNote: false,
      },
    });
    expect(compose({ ...text, media: file('video', 'video/quicktime', 'c.mov') })['body']).toMatchObject({
      file: { filename: 'c.mov' },
      convert: true,
    });
  });

  it('posts what Compose message built, after the session check or the number check, and names the endpoint in a refusal', () => {
    const wf = send();
    expect(targets(wf, 'Route session check', 1)).toEqual(['Compose message']);
    expect(targets(wf, 'On WhatsApp?', 0)).toEqual(['Compose message']);
    expect(targets(wf, 'Compose message', 0)).toEqual(['Send message']);
    expect(targets(wf, 'Send message', 0)).toEqual(['Check sent']);
    const composed = { path: '/api/sendVoice', body: { session: 'ws_1', chatId: '491@c.us' } };
    expect(byName(wf, 'Send message').parameters['method']).toBe('POST');
    expect(evalExpression(wf, 'Send message', 'url', composed, {}, WAHA)).toBe(
      'http://waha:3000/api/sendVoice',
    );
    expect(JSON.parse(evalExpression(wf, 'Send message', 'jsonBody', composed) as string)).toEqual(
      composed.body,
    );

    const checked = runCode(
      wf,
      'Check sent',
      { statusCode: 422, body: { message: 'File URL is not reachable' } },
      { 'Compose message': composed },
    )[0]!.json;
    expect(checked).toMatchObject({
      route: 1,
      failure: {
        reason: 'WAHA refused POST /api/sendVoice',
        wahaStatusCode: 422,
        wahaMessage: 'File URL is not reachable',
      },
    });
    expect(targets(wf, 'Sent?', 1)).toEqual(['Report message failed']);
  });
});

describe('message.react', () => {
  const react = () => workflowOf('whHubMessageReact');
  const payload = { messageId: 'false_491@c.us_AAA', reaction: '👍' };

  it("puts the reaction to WAHA's /api/reaction and reports it sent; '' (removed) too", () => {
    const wf = react();
    const call = 'WAHA PUT /api/reaction';
    expect(byName(wf, call).parameters['method']).toBe('PUT');
    expect(evalExpression(wf, call, 'url', {}, {}, WAHA)).toBe('http://waha:3000/api/reaction');
    const cmd = runCode(wf, 'Command', envelope('message.react', payload))[0]!.json;
    expect(JSON.parse(evalExpression(wf, call, 'jsonBody', {}, { Command: cmd }) as string)).toEqual({
      session: 'ws_1',
      messageId: 'false_491@c.us_AAA',
      reaction: '👍',
    });
    expect(runCode(wf, 'Check WAHA answer', { statusCode: 200, body: {} })[0]!.json['route']).toBe(0);
    expect(targets(wf, 'Succeeded?', 0)).toEqual(['Report reaction sent']);
    const removed = runCode(wf, 'Command', envelope('message.react', { ...payload, reaction: '' }))[0]!.json;
    expect(evalExpression(wf, 'Report reaction sent', 'variables', {}, { Command: removed })).toEqual({
      input: { sessionId: 'ws_1', commandId: 'c1', messageId: 'false_491@c.us_AAA', reaction: '' },
    });
  });

  it("reports a refusal as the session's error, never as a failed message of ours", () => {
    const wf = react();
    const checked = runCode(wf, 'Check WAHA answer', {
      statusCode: 404,
      body: { message: 'Message not found' },
    })[0]!.json;
    expect(checked).toMatchObject({
      route: 1,
      failure: { reason: 'WAHA refused PUT /api/reaction', wahaStatusCode: 404 },
    });
    expect(targets(wf, 'Succeeded?', 1)).toEqual(['Report session failure']);
    // payload.messageId is WAHA's id here: a bad envelope is tagged with the session only.
    expect(() => runCode(wf, 'Command', envelope('message.react', { messageId: 'x', reaction: 7 }))).toThrow(
      '[whatsapp-hub session=ws_1 command=c1 message=-] Invalid message.react command: payload.reaction must be an emoji or empty',
    );
    expect(() => runCode(wf, 'Command', envelope('message.react', { reaction: '👍' }))).toThrow(
      'payload.messageId is missing',
    );
  });
});

describe('group.participants', () => {
  const group = () => workflowOf('whHubGroupMembers');
  const cmd = { commandId: 'c1', sessionId: 'ws_1', payload: { chatId: '120363000000000001@g.us' } };
  const participants = (answer: unknown, groupBody: unknown = { subject: 'Team' }) =>
    runCode(group(), 'Check participants', answer, { 'Check group': { body: groupBody } })[0]!.json;

  it("reads the group, then its participants, from WAHA's groups API for that group only", () => {
    const wf = group();
    expect(evalExpression(wf, 'Get group', 'url', {}, { Command: cmd }, WAHA)).toBe(
      'http://waha:3000/api/ws_1/groups/120363000000000001%40g.us',
    );
    expect(evalExpression(wf, 'Get participants', 'url', {}, { Command: cmd }, WAHA)).toBe(
      'http://waha:3000/api/ws_1/groups/120363000000000001%40g.us/participants/v2',
    );
    expect(targets(wf, 'Group read?', 0)).toEqual(['Get participants']);
    expect(targets(wf, 'Group read?', 1)).toEqual(['Report session failure']);
    expect(targets(wf, 'Participants read?', 1)).toEqual(['Report session failure']);
    expect(() =>
      runCode(wf, 'Command', envelope('group.participants', { chatId: '491@c.us/../../sessions' })),
    ).toThrow('payload.chatId must be a group id (<digits>@g.us)');
    expect(
      runCode(wf, 'Command', envelope('group.participants', { chatId: '491-1600000000@g.us' })),
    ).toHaveLength(1);
  });

  it('reports the members with their phone ids and roles, without those who left, and the subject of any engine', () => {
    const answer = {
      statusCode: 200,
      body: [
        { id: '111@lid', pn: '4917000000001@c.us', role: 'superadmin' },
        { id: '4917000000002@c.us', role: 'admin' },
        { id: '222@lid', role: 'participant' },
        { id: '333@lid', pn: '4917000000003@c.us', role: 'left' },
        { id: '111@lid', pn: '4917000000001@c.us', role: 'superadmin' },
        // GOWS writes phone-number ids @s.whatsapp.net.
        { id: '4917000000004@s.whatsapp.net', role: 'participant' },
        { id: '444@lid', pn: '4917000000005@s.whatsapp.net', role: 'participant' },
      ],
    };
    expect(participants(answer)).toEqual({
      route: 0,
      subject: 'Team',
      participants: [
        { id: '111@lid', phoneId: '4917000000001@c.us', role: 'superadmin' },
        { id: '4917000000002@c.us', phoneId: '4917000000002@c.us', role: 'admin' },
        { id: '222@lid', phoneId: null, role: 'participant' },
        { id: '4917000000004@c.us', phoneId: '4917000000004@c.us', role: 'participant' },
        { id: '444@lid', phoneId: '4917000000005@c.us', role: 'participant' },
      ],
    });
    expect(participants(answer, { groupMetadata: { subject: 'WEBJS' }, name: 'WEBJS' })['subject']).toBe(
      'WEBJS',
    );
    expect(participants(answer, { JID: 'x@g.us', Name: 'GOWS' })['subject']).toBe('GOWS');
    expect(participants(answer, {})['subject']).toBeNull();

    const wf = group();
    const reported = evalExpression(wf, 'Report group participants', 'variables', participants(answer), {
      Command: cmd,
    });
    expect(reported).toEqual({
      input: {
        sessionId: 'ws_1',
        commandId: 'c1',
        chatId: '120363000000000001@g.us',
        subject: 'Team',
        participants: participants(answer)['participants'],
      },
    });
  });

  it('fails visibly when WAHA refuses or answers without a list', () => {
    expect(participants({ statusCode: 404, body: { message: 'Group not found' } })).toMatchObject({
      route: 1,
      failure: { reason: 'WAHA refused GET /api/{session}/groups/{id}/participants/v2', wahaStatusCode: 404 },
    });
    expect(participants({ statusCode: 200, body: { participants: [] } })).toMatchObject({
      route: 1,
      failure: { reason: 'WAHA GET /api/{session}/groups/{id}/participants/v2 answered without a list' },
    });
  });
});

describe('contact.lookup', () => {
  const lookup = () => workflowOf('whHubContactLookup');
  const cmd = { commandId: 'c1', sessionId: 'ws_1', payload: { lid: '123456789012345@lid' } };
  const report = (answer: { statusCode: number; body: unknown }) => {
    const checked = runCode(lookup(), 'Check WAHA answer', answer)[0]!.json;
    if (checked['route'] !== 0) return checked;
    return evalExpression(lookup(), 'Report contact ids', 'variables', checked, { Command: cmd });
  };

  it("asks WAHA's lids API for the LID and reports the phone number, or null when WAHA does not know it", () => {
    expect(
      evalExpression(lookup(), 'WAHA GET /api/{session}/lids/{lid}', 'url', {}, { Command: cmd }, WAHA),
    ).toBe('http://waha:3000/api/ws_1/lids/123456789012345%40lid');
    expect(
      report({ statusCode: 200, body: { lid: '123456789012345@lid', pn: '4917000000001@c.us' } }),
    ).toEqual({
      input: {
        sessionId: 'ws_1',
        commandId: 'c1',
        lid: '123456789012345@lid',
        phoneId: '4917000000001@c.us',
      },
    });
    expect(report({ statusCode: 200, body: { lid: '123456789012345@lid', pn: null } })).toEqual({
      input: { sessionId: 'ws_1', commandId: 'c1', lid: '123456789012345@lid', phoneId: null },
    });
    expect(targets(lookup(), 'Succeeded?', 0)).toEqual(['Report contact ids']);
  });

  it('refuses what is not a LID before calling WAHA, and reports a refusal as the session error', () => {
    for (const lid of ['4917000000001@c.us', '../../sessions', '123@lid/x', ''])
      expect(() => runCode(lookup(), 'Command', envelope('contact.lookup', { lid }))).toThrow(
        'payload.lid must be a LID (<digits>@lid)',
      );
    expect(
      report({ statusCode: 422, body: { message: 'Invalid LID - it must end with @lid' } }),
    ).toMatchObject({
      route: 1,
      failure: { reason: 'WAHA refused GET /api/{session}/lids/{lid}', wahaStatusCode: 422 },
    });
    expect(targets(lookup(), 'Succeeded?', 1)).toEqual(['Report session failure']);
  });
});
