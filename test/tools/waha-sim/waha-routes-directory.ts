/** WAHA's groups and lids endpoints (the session must be WORKING for each). */
import type { MeInfo } from '../../../src/waha/waha.types.js';
import { engineGroup, engineParticipants, lidByPn, lidOf, participantsV2, pnOf } from './sim-directory.js';
import type { SimEngine } from './sim-engine.js';
import { WahaHttpError } from './sim-errors.js';
import { type Ctx, json, type Route, wahaRoute } from './sim-http.js';
import type { SimGroup, SimSession } from './sim-session.js';

const param = (ctx: Ctx, i: number) => ctx.params[i] as string;

export function directoryRoutes(engine: SimEngine): Route[] {
  const working = (ctx: Ctx) => engine.requireStatus(param(ctx, 0), ['WORKING']);
  const group = (session: SimSession, id: string): SimGroup => {
    const found = session.groups.get(id);
    // WhatsApp answers an unknown group with item-not-found; WAHA passes it on as a 404.
    if (!found) throw WahaHttpError.notFound(`Group '${id}' not found`);
    return found;
  };

  return [
    wahaRoute('GET', '/api/{session}/groups', async (ctx) => {
      const session = await working(ctx);
      const q = ctx.query;
      const sortBy = q.get('sortBy');
      const errors: string[] = [];
      if (sortBy !== null && sortBy !== 'id' && sortBy !== 'subject')
        errors.push('sortBy must be one of: id, subject');
      const sortOrder = q.get('sortOrder');
      if (sortOrder !== null && sortOrder !== 'asc' && sortOrder !== 'desc') {
        errors.push('sortOrder must be one of: desc, asc');
      }
      if (errors.length) throw WahaHttpError.badRequest(errors);
      let groups = [...session.groups.values()];
      if (sortBy) {
        const key = sortBy as 'id' | 'subject';
        groups.sort((a, b) => a[key].localeCompare(b[key]) * (sortOrder === 'desc' ? -1 : 1));
      }
      const offset = Number(q.get('offset') ?? 0) || 0;
      const limit = q.get('limit') === null ? undefined : Number(q.get('limit'));
      groups = groups.slice(offset, limit === undefined ? undefined : offset + limit);
      const withParticipants = !q.getAll('exclude').includes('participants');
      return json(
        200,
        groups.map((g) => engineGroup(engine.options.engine, g, session.me as MeInfo, withParticipants)),
      );
    }),
    wahaRoute('GET', '/api/{session}/groups/count', async (ctx) =>
      json(200, { count: (await working(ctx)).groups.size }),
    ),
    wahaRoute('GET', '/api/{session}/groups/{id}', async (ctx) => {
      const session = await working(ctx);
      return json(
        200,
        engineGroup(engine.options.engine, group(session, param(ctx, 1)), session.me as MeInfo),
      );
    }),
    wahaRoute('GET', '/api/{session}/groups/{id}/participants', async (ctx) => {
      const session = await working(ctx);
      return json(200, engineParticipants(engine.options.engine, group(session, param(ctx, 1))));
    }),
    wahaRoute('GET', '/api/{session}/groups/{id}/participants/v2', async (ctx) => {
      const session = await working(ctx);
      return json(200, participantsV2(group(session, param(ctx, 1))));
    }),

    wahaRoute('GET', '/api/{session}/lids', async (ctx) => {
      const session = await working(ctx);
      const offset = Number(ctx.query.get('offset') ?? 0) || 0;
      const limit = Number(ctx.query.get('limit') ?? 100) || 100;
      const all = [...session.lids].map(([lid, pn]) => ({ lid, pn }));
      return json(200, all.slice(offset, offset + limit));
    }),
    wahaRoute('GET', '/api/{session}/lids/count', async (ctx) =>
      json(200, { count: (await working(ctx)).lids.size }),
    ),
    // Not found is 200 with a null on the unknown side, as WAHA's docs show.
    wahaRoute('GET', '/api/{session}/lids/pn/{phoneNumber}', async (ctx) => {
      const session = await working(ctx);
      const pn = pnOf(param(ctx, 1));
      return json(200, { lid: lidByPn(session, pn), pn });
    }),
    wahaRoute('GET', '/api/{session}/lids/{lid}', async (ctx) => {
      const session = await working(ctx);
      const lid = lidOf(param(ctx, 1));
      return json(200, { lid, pn: session.lids.get(lid) ?? null });
    }),
  ];
}
