/** WAHA's sending, contacts and chats endpoints (a session must be WORKING for each). */
import type { SimEngine } from './sim-engine.js';
import { WahaHttpError } from './sim-errors.js';
import { type Ctx, json, requireStrings, type Route, wahaRoute } from './sim-http.js';
import { messageSeq } from './sim-messaging.js';

const first = (ctx: Ctx) => ctx.params[0] as string;

export function chattingRoutes(engine: SimEngine): Route[] {
  return [
    wahaRoute('POST', '/api/sendText', async (ctx) => {
      const body = requireStrings(ctx.body, ['session', 'chatId', 'text']);
      const session = await engine.requireStatus(body.session, ['WORKING']);
      // A reply_to naming no message WAHA knows is sent without the quote, as the engines do.
      const replyTo = typeof body.reply_to === 'string' ? { replyTo: body.reply_to } : {};
      return json(
        201,
        engine.messaging.send(session, body.chatId, { kind: 'text', body: body.text }, replyTo).raw,
      );
    }),
    wahaRoute('POST', '/api/sendSeen', async (ctx) => {
      const body = requireStrings(ctx.body, ['session', 'chatId']);
      const session = await engine.requireStatus(body.session, ['WORKING']);
      engine.messaging.markSeen(session, body.chatId);
      return json(201, {});
    }),
    ...(['startTyping', 'stopTyping'] as const).map((op) =>
      wahaRoute('POST', `/api/${op}`, async (ctx) => {
        const body = requireStrings(ctx.body, ['session', 'chatId']);
        const session = await engine.requireStatus(body.session, ['WORKING']);
        engine.setTyping(session, body.chatId, op === 'startTyping');
        return { status: 201 };
      }),
    ),
    wahaRoute('GET', '/api/contacts/check-exists', async (ctx) => {
      const phone = ctx.query.get('phone');
      const name = ctx.query.get('session');
      if (!phone || !name)
        throw WahaHttpError.badRequest(['phone should not be empty', 'session should not be empty']);
      await engine.requireStatus(name, ['WORKING']);
      const digits = phone.replace(/\D/g, '');
      return json(
        200,
        engine.messaging.numberExists(digits)
          ? { numberExists: true, chatId: `${digits}@c.us` }
          : { numberExists: false },
      );
    }),

    wahaRoute('GET', '/api/{session}/chats', async (ctx) => {
      const session = await engine.requireStatus(first(ctx), ['WORKING']);
      const order = ctx.query.get('sortOrder') === 'asc' ? 'asc' : 'desc';
      return json(200, page(engine.messaging.chats(session, order), ctx.query, undefined));
    }),
    wahaRoute('GET', '/api/{session}/chats/overview', async (ctx) => {
      const session = await engine.requireStatus(first(ctx), ['WORKING']);
      const ids = ctx.query.getAll('ids');
      return json(200, page(engine.messaging.overview(session, ids.length ? ids : null), ctx.query, 20));
    }),
    wahaRoute('GET', '/api/{session}/chats/{chatId}/messages', async (ctx) => {
      const session = await engine.requireStatus(first(ctx), ['WORKING']);
      const q = ctx.query;
      let messages = engine.messaging.messages(session, ctx.params[1] as string);
      const fromMe = q.get('filter.fromMe');
      if (fromMe !== null) messages = messages.filter((m) => String(m.fromMe) === fromMe);
      const ack = q.get('filter.ack');
      if (ack !== null) messages = messages.filter((m) => m.ackName === ack);
      const gte = q.get('filter.timestamp.gte');
      if (gte !== null) messages = messages.filter((m) => m.timestamp >= Number(gte));
      const lte = q.get('filter.timestamp.lte');
      if (lte !== null) messages = messages.filter((m) => m.timestamp <= Number(lte));
      const asc = q.get('sortOrder') === 'asc';
      messages.sort((a, b) => (messageSeq(a) - messageSeq(b)) * (asc ? 1 : -1));
      return json(200, page(messages, q, 10));
    }),
  ];
}

function page<T>(items: T[], query: URLSearchParams, defaultLimit: number | undefined): T[] {
  const offset = Number(query.get('offset') ?? 0) || 0;
  const limitParam = query.get('limit');
  const limit = limitParam === null ? defaultLimit : Number(limitParam);
  return items.slice(offset, limit === undefined ? undefined : offset + limit);
}
