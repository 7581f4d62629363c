/**
 * WAHA's media endpoints: sending an image, file, voice note or video (from a URL WAHA fetches,
 * or base64 data), reacting to a message, and the files WAHA saved (`/api/files/…`).
 */
import { WAHA_VERSION, type SimEngine } from './sim-engine.js';
import { WahaHttpError } from './sim-errors.js';
import { asObject, type Ctx, json, requireStrings, type Route, wahaRoute } from './sim-http.js';
import { decodeBytes, type MediaKind } from './sim-media.js';
import { react } from './sim-message-events.js';
import { jid } from './sim-raw.js';

/** What WAHA received to send: the file after fetching or decoding it (the control API lists these). */
export interface SimSentMedia {
  session: string;
  /** `sendImage`, `sendFile`, `sendVoice` or `sendVideo`. */
  endpoint: string;
  chatId: string;
  messageId: string;
  /** How the request gave the file. */
  source: 'url' | 'data';
  url: string | null;
  /** The request's `file.mimetype`. */
  mimetype: string;
  filename: string | null;
  caption: string | null;
  /** The Content-Type the URL answered with (for `source: url`). */
  fetchedContentType: string | null;
  bytes: Buffer;
}

const SENDS: { endpoint: string; kind: MediaKind; caption: boolean }[] = [
  { endpoint: 'sendImage', kind: 'image', caption: true },
  { endpoint: 'sendFile', kind: 'document', caption: true },
  { endpoint: 'sendVoice', kind: 'voice', caption: false },
  { endpoint: 'sendVideo', kind: 'video', caption: true },
];

/** How long WAHA waits for a remote file (not scaled: a real fetch). */
const FETCH_TIMEOUT_MS = 10_000;

export function mediaRoutes(engine: SimEngine, sent: SimSentMedia[]): Route[] {
  return [
    // WAHA's static file server, before the `/api/{session}/…` routes a session named "files" would take.
    wahaRoute('GET', '/api/files/{session}/{filename}', (ctx) => {
      const file = engine.messaging.files.read(`${ctx.params[0] as string}/${ctx.params[1] as string}`);
      if (!file) {
        return json(404, {
          error: {
            code: 404,
            key: 'FILE_NOT_FOUND',
            message: 'File not found',
            details: 'File not found or no longer available',
          },
        });
      }
      return { status: 200, file };
    }),

    ...SENDS.map(({ endpoint, kind, caption }) =>
      wahaRoute('POST', `/api/${endpoint}`, async (ctx) => {
        const body = requireStrings(ctx.body, ['session', 'chatId']);
        const file = asObject(body.file);
        const errors: string[] = [];
        if (typeof file.mimetype !== 'string') errors.push('file.mimetype must be a string');
        if (typeof file.url !== 'string' && typeof file.data !== 'string') {
          errors.push('file must have a url or base64 data');
        }
        if (file.filename !== undefined && file.filename !== null && typeof file.filename !== 'string') {
          errors.push('file.filename must be a string');
        }
        if (body.caption !== undefined && typeof body.caption !== 'string')
          errors.push('caption must be a string');
        if (body.reply_to !== undefined && body.reply_to !== null && typeof body.reply_to !== 'string') {
          errors.push('reply_to must be a string');
        }
        if (errors.length) throw WahaHttpError.badRequest(errors);
        const session = await engine.requireStatus(body.session, ['WORKING']);

        const fetched = typeof file.url === 'string' ? await fetchFile(file.url, ctx) : null;
        const bytes = fetched ? fetched.bytes : decodeBytes(file.data);
        if (!bytes) throw WahaHttpError.badRequest(['file.data must be base64']);
        const mimetype = file.mimetype as string;
        const filename = typeof file.filename === 'string' ? file.filename : null;
        const text = caption && typeof body.caption === 'string' ? body.caption : null;
        const { message, raw } = engine.messaging.send(
          session,
          body.chatId,
          { kind, body: text ?? '', media: { mimetype, filename, size: bytes.length } },
          { bytes, ...(typeof body.reply_to === 'string' ? { replyTo: body.reply_to } : {}) },
        );
        sent.push({
          session: session.name,
          endpoint,
          chatId: body.chatId,
          messageId: message.id,
          source: fetched ? 'url' : 'data',
          url: typeof file.url === 'string' ? file.url : null,
          mimetype,
          filename,
          caption: text,
          fetchedContentType: fetched?.contentType ?? null,
          bytes,
        });
        if (sent.length > 200) sent.shift();
        return json(201, raw);
      }),
    ),

    wahaRoute('PUT', '/api/reaction', async (ctx) => {
      const body = requireStrings(ctx.body, ['session', 'messageId', 'reaction']);
      const session = await engine.requireStatus(body.session, ['WORKING']);
      const target = engine.messaging.find(session, body.messageId);
      if (!target) throw internal(new Error(`Message '${body.messageId}' not found`), ctx);
      const reaction = react(
        engine.messaging,
        session,
        { messageId: body.messageId, reaction: body.reaction },
        true,
      );
      const engineId = reaction.id.split('_')[2] as string;
      const { chatId, fromMe, engineId: targetId } = target.meta.envelope;
      // whatsapp-web.js's react() resolves to nothing: WAHA answers 200 with no body. NOWEB
      // answers Baileys' sent message, GOWS its message response.
      switch (engine.options.engine) {
        case 'WEBJS':
          return { status: 200 };
        case 'NOWEB':
          return json(200, {
            key: { remoteJid: jid(chatId), fromMe: true, id: engineId },
            message: {
              reactionMessage: { key: { remoteJid: jid(chatId), fromMe, id: targetId }, text: body.reaction },
            },
            messageTimestamp: String(reaction.timestamp),
            status: 'PENDING',
          });
        default:
          return json(200, {
            id: reaction.id,
            _data: { ID: engineId, Timestamp: new Date(reaction.timestamp * 1000).toISOString() },
          });
      }
    }),
  ];
}

/** WAHA downloads a RemoteFile's url before sending; a failure is its 500 with the exception. */
async function fetchFile(url: string, ctx: Ctx): Promise<{ bytes: Buffer; contentType: string | null }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`Request failed with status code ${response.status}`);
    }
    return {
      bytes: Buffer.from(await response.arrayBuffer()),
      contentType: response.headers.get('content-type'),
    };
  } catch (error) {
    const cause = error instanceof Error ? error : new Error(String(error));
    throw internal(cause, ctx);
  }
}

/** WAHA's answer to an unexpected error (its AllExceptionsFilter): 500 with the exception and request. */
export function internal(error: Error, ctx: Ctx): WahaHttpError {
  const query: Record<string, string> = Object.fromEntries(ctx.query.entries());
  return new WahaHttpError(500, {
    statusCode: 500,
    timestamp: new Date().toISOString(),
    exception: { message: error.message, name: error.name, stack: error.stack },
    request: { path: ctx.path, method: ctx.method, body: ctx.body, query },
    version: WAHA_VERSION,
  });
}
