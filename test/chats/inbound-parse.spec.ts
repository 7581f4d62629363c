import { describe, expect, it } from '@jest/globals';
import { messageOf } from '../../src/waha/waha-message.js';
import { type IncomingMessage } from '../../src/waha/waha-message.js';
import { twinWahaId, personIdOf } from '../../src/waha/chat-ids.js';
import { type MeInfo, type WAMessage } from '../../src/waha/waha.types.js';
import { composeMessage, type ComposeInput } from '../tools/waha-sim/sim-compose.js';
import { SimFileStore } from '../tools/waha-sim/sim-media.js';
import { type RawContent } from '../tools/waha-sim/sim-raw.js';
import { type SimEngineName, type SimSession } from '../tools/waha-sim/sim-session.js';

/**
 * What messageOf keeps of a WAMessage, for every kind of message and every engine: the WAMessage
 * and its `_data` as the simulator composes them (its engines' data are checked against WAHA's
 * spec and engines by the simulator's own specs).
 */

const ME: MeInfo = { id: '491510000001@c.us', pushName: 'Shop' };
const PERSON = '4917000000001@c.us';
const LID = '187743475368085@lid';
const GROUP = '120363025246125486@g.us';
const ENGINES: SimEngineName[] = ['WEBJS', 'NOWEB', 'GOWS'];

function compose(
  engine: SimEngineName,
  input: Partial<ComposeInput> & { content: RawContent },
): { message: WAMessage; parsed: IncomingMessage } {
  const session = { name: 'line', me: ME } as SimSession;
  const ctx = { engine, files: new SimFileStore(0), baseUrl: () => 'http://127.0.0.1:3001' };
  const { message } = composeMessage(ctx, session, {
    chatId: PERSON,
    fromMe: false,
    author: input.chatId ?? PERSON,
    pushName: 'Ann',
    source: 'app',
    ack: 1,
    ...input,
  });
  const parsed = messageOf(JSON.parse(JSON.stringify(message)), Date.now());
  if (typeof parsed === 'string') throw new Error(`not parsed: ${parsed}`);
  return { message, parsed };
}

const media = (mimetype: string, filename: string | null = null) => ({ mimetype, filename, size: 10 });

describe.each(ENGINES)('messageOf on %s', (engine) => {
  it.each([
    ['text', 'TEXT', { kind: 'text', body: 'Hello' }],
    ['image', 'IMAGE', { kind: 'image', body: 'A photo', media: media('image/png') }],
    ['video', 'VIDEO', { kind: 'video', body: '', media: media('video/mp4') }],
    ['audio', 'AUDIO', { kind: 'audio', body: '', media: media('audio/mpeg') }],
    ['voice', 'VOICE', { kind: 'voice', body: '', media: media('audio/ogg; codecs=opus') }],
    [
      'document',
      'DOCUMENT',
      { kind: 'document', body: 'The offer', media: media('application/pdf', 'offer.pdf') },
    ],
    ['sticker', 'STICKER', { kind: 'sticker', body: '', media: media('image/webp') }],
  ] as [string, string, RawContent][])('keeps a %s message as %s', (_kind, type, content) => {
    const file = content.media ? { bytes: Buffer.from('x') } : undefined;
    const { message, parsed } = compose(engine, { content, ...(file ? { file } : {}) });
    expect(parsed).toMatchObject({
      wahaId: message.id,
      chatId: PERSON,
      type,
      hasMedia: content.media !== undefined,
    });
    expect(parsed.body).toBe(message.body);
    if (content.media) {
      expect(parsed.media).toEqual({
        url: message.media!.url,
        mimetype: content.media.mimetype,
        filename: content.media.filename,
        error: null,
      });
    } else {
      expect(parsed.media).toBeNull();
    }
  });

  it('keeps a failed download as WAHA reported it', () => {
    const { parsed } = compose(engine, {
      content: { kind: 'image', body: '', media: media('image/jpeg') },
      file: { error: { name: 'Error', message: 'Failed to download media from WhatsApp' } },
    });
    expect(parsed.media).toEqual({
      url: null,
      mimetype: 'image/jpeg',
      filename: null,
      error: 'Failed to download media from WhatsApp',
    });
  });

  it('keeps a location and contact cards', () => {
    const location = compose(engine, {
      content: {
        kind: 'location',
        body: '',
        location: { latitude: 52.52, longitude: 13.405, name: 'Office', address: 'Berlin' },
      },
    }).parsed;
    expect(location).toMatchObject({
      type: 'LOCATION',
      location: { latitude: '52.52', longitude: '13.405', name: 'Office', address: 'Berlin', live: false },
    });
    const cards = ['BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nTEL:+4917000000001\nEND:VCARD'];
    const contact = compose(engine, { content: { kind: 'vcard', body: '', vCards: cards } }).parsed;
    expect(contact).toMatchObject({ type: 'CONTACT', vcards: cards });
    expect(compose(engine, { content: { kind: 'text', body: 'hi' } }).parsed.vcards).toBeNull();
  });

  it('keeps a reply as the quoted message’s WAHA id and a short excerpt', () => {
    const quoted = compose(engine, { content: { kind: 'text', body: `Our offer: ${'x'.repeat(300)}` } });
    const { parsed } = compose(engine, {
      content: { kind: 'text', body: 'Yes please' },
      replyTo: {
        message: quoted.message,
        meta: { envelope: envelopeOf(quoted.message), content: { kind: 'text', body: quoted.message.body } },
      },
    });
    expect(parsed.replyTo).toEqual({ wahaId: quoted.message.id, excerpt: quoted.message.body.slice(0, 200) });
  });

  it('keeps a group message’s author, and its phone number where the engine gives it', () => {
    const byPhone = compose(engine, {
      chatId: GROUP,
      author: PERSON,
      content: { kind: 'text', body: 'Hi all' },
    }).parsed;
    expect(byPhone).toMatchObject({
      chatId: GROUP,
      authorId: PERSON,
      authorPhoneId: PERSON,
      altChatId: null,
    });
    const byLid = compose(engine, {
      chatId: GROUP,
      author: LID,
      authorPn: PERSON,
      content: { kind: 'text', body: 'Hi all' },
    }).parsed;
    // WEBJS's data has no phone number for a LID (whatsapp-web.js has none): unknown, not an error.
    expect(byLid).toMatchObject({ authorId: LID, authorPhoneId: engine === 'WEBJS' ? null : PERSON });
  });

  it('keeps the contact’s other id of a chat WAHA names by LID', () => {
    const { parsed } = compose(engine, {
      chatId: LID,
      author: LID,
      authorPn: PERSON,
      content: { kind: 'text', body: 'Hi' },
    });
    expect(parsed).toMatchObject({
      chatId: LID,
      altChatId: engine === 'WEBJS' ? null : PERSON,
      authorId: null,
    });
    const plain = compose(engine, { chatId: LID, author: LID, content: { kind: 'text', body: 'Hi' } }).parsed;
    expect(plain.altChatId).toBeNull();
  });
});

/** The envelope a composed message was made from, for a reply to it. */
function envelopeOf(message: WAMessage) {
  const engineId = message.id.split('_')[2]!;
  return {
    id: message.id,
    engineId,
    chatId: PERSON,
    fromMe: false,
    author: PERSON,
    me: ME,
    pushName: null,
    timestamp: message.timestamp,
    ack: 1,
  };
}

describe('messageOf: engine data and bad shapes', () => {
  const base = {
    id: `false_${PERSON}_ABC`,
    timestamp: 1_700_000_000,
    from: PERSON,
    fromMe: false,
    to: ME.id,
    body: 'x',
  };

  it('reads NOWEB’s phone-number id from the key, device and server form included, and GOWS’s for our own messages', () => {
    const noweb = messageOf(
      {
        ...base,
        from: LID,
        id: `false_${LID}_ABC`,
        _data: { key: { remoteJid: LID, remoteJidAlt: '4917000000001:12@s.whatsapp.net' } },
      },
      0,
    );
    expect(noweb).toMatchObject({ chatId: LID, altChatId: PERSON });
    const ours = messageOf(
      {
        ...base,
        fromMe: true,
        from: ME.id,
        to: LID,
        id: `true_${LID}_ABC`,
        _data: { Info: { Chat: LID, IsFromMe: true, RecipientAlt: '4917000000001@s.whatsapp.net' } },
      },
      0,
    );
    expect(ours).toMatchObject({ chatId: LID, altChatId: PERSON });
    // A phone-number chat learns its LID the same way.
    const reverse = messageOf(
      { ...base, _data: { key: { remoteJid: '4917000000001@s.whatsapp.net', remoteJidAlt: LID } } },
      0,
    );
    expect(reverse).toMatchObject({ chatId: PERSON, altChatId: LID });
    // Anything else there is unknown, never an error.
    expect(messageOf({ ...base, _data: { key: { remoteJidAlt: 12 }, Info: 'x' } }, 0)).toMatchObject({
      altChatId: null,
      type: 'TEXT',
    });
  });

  it('takes the kind from the proto message where there is no whatsapp-web.js type, else from what the message carries', () => {
    const proto = (message: Record<string, unknown>) =>
      messageOf({ ...base, hasMedia: true, _data: { message } }, 0);
    expect(proto({ ephemeralMessage: { message: { audioMessage: { ptt: true } } } })).toMatchObject({
      type: 'VOICE',
    });
    expect(
      proto({
        documentWithCaptionMessage: {
          message: { documentMessage: { fileName: 'a.pdf', mimetype: 'application/pdf' } },
        },
      }),
    ).toMatchObject({
      type: 'DOCUMENT',
      media: { filename: 'a.pdf', mimetype: 'application/pdf' },
    });
    expect(proto({ pollCreationMessage: {} })).toMatchObject({ type: 'OTHER' });
    expect(messageOf({ ...base, _data: { type: 'e2e_notification' } }, 0)).toMatchObject({ type: 'OTHER' });
    const carried = (fields: Record<string, unknown>) => messageOf({ ...base, ...fields }, 0);
    expect(
      carried({ hasMedia: true, media: { url: 'http://w/f', mimetype: 'audio/ogg; codecs=opus' } }),
    ).toMatchObject({ type: 'VOICE' });
    expect(
      carried({ hasMedia: true, media: { url: 'http://w/f', mimetype: 'application/zip' } }),
    ).toMatchObject({ type: 'DOCUMENT' });
    expect(carried({ hasMedia: true, media: null })).toMatchObject({
      type: 'DOCUMENT',
      media: { url: null, mimetype: null },
    });
    expect(carried({ location: { latitude: '1', longitude: '2', live: true } })).toMatchObject({
      type: 'LOCATION',
    });
  });

  it.each([
    [{ media: 'x', hasMedia: true }, '`media` must be an object'],
    [{ hasMedia: true, media: { url: 5 } }, '`media.url` must be a string'],
    [{ replyTo: { body: 'x' } }, '`replyTo.id` must be a message id'],
    [{ replyTo: { id: 'ABC', body: 4 } }, '`replyTo.body` must be a string'],
    [
      { location: { latitude: 'north' } },
      '`location` must have a `latitude` (-90 to 90) and a `longitude` (-180 to 180)',
    ],
    [{ vCards: [1] }, '`vCards` must be an array of strings'],
    [{ participant: 5 }, '`participant` must be a string'],
  ])('refuses a WAMessage whose %j is not WAHA’s shape', (fields, reason) => {
    expect(messageOf({ ...base, ...fields }, 0)).toBe(reason);
  });

  it('makes WAHA’s text storable in every part', () => {
    const parsed = messageOf(
      {
        ...base,
        replyTo: { id: 'ABC', participant: PERSON, body: 'a\u0000b' },
        vCards: ['BEGIN:VCARD\u0000'],
        hasMedia: true,
        media: { filename: 'f\u0000.pdf' },
      },
      0,
    ) as IncomingMessage;
    expect(parsed.replyTo).toEqual({ wahaId: `false_${PERSON}_ABC`, excerpt: 'a\uFFFDb' });
    expect(parsed.vcards).toEqual(['BEGIN:VCARD\uFFFD']);
    expect(parsed.media?.filename).toBe('f\uFFFD.pdf');
  });
});

describe('chat ids', () => {
  it('names a person the way WAHA does, whatever form the engine wrote', () => {
    expect(personIdOf('4917000000001@s.whatsapp.net')).toBe(PERSON);
    expect(personIdOf('4917000000001:3@s.whatsapp.net')).toBe(PERSON);
    expect(personIdOf('187743475368085:2@lid')).toBe(LID);
    expect(personIdOf(GROUP)).toBeNull();
    expect(personIdOf('status@broadcast')).toBeNull();
  });

  it('names the same message under the chat’s other id', () => {
    expect(twinWahaId(`false_${LID}_3EB0AB`, PERSON)).toBe(`false_${PERSON}_3EB0AB`);
    expect(twinWahaId(`true_${PERSON}_3EB0AB`, LID)).toBe(`true_${LID}_3EB0AB`);
    expect(twinWahaId(`false_${PERSON}_3EB0AB`, PERSON)).toBeNull();
    expect(twinWahaId('not-a-waha-id', PERSON)).toBeNull();
  });
});
