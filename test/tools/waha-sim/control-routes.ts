/**
 * The control API under `/__sim`: what a phone (or a test) does to a session, and the faults,
 * duplicates and logs a test asks for. Never behind WAHA's API key.
 */
import type { MeInfo, WahaAck } from '../../../src/waha/waha.types.js';
import type { SimEngine } from './sim-engine.js';
import type { CreateGroupInput } from './sim-directory.js';
import { SimControlError } from './sim-errors.js';
import type { SimInboundInput } from './sim-inbound.js';
import type { SimCapping, SimTimelock } from './sim-limits.js';
import type { ReactInput } from './sim-message-events.js';
import { asObject, type Ctx, type Handler, type Reply, type Route } from './sim-http.js';
import type { SimFaults, SimRequestRecord, WahaSimulator } from './waha-simulator.js';

export type Control = Pick<
  WahaSimulator,
  | 'link'
  | 'linkWithPasskey'
  | 'passkeyApprove'
  | 'passkeyConfirm'
  | 'setCapping'
  | 'setTimelock'
  | 'inbound'
  | 'ack'
  | 'react'
  | 'edit'
  | 'revoke'
  | 'expireMedia'
  | 'createGroup'
  | 'setLid'
  | 'sentMedia'
  | 'disconnect'
  | 'fail'
  | 'setFaults'
  | 'clearFaults'
  | 'duplicateNextWebhooks'
  | 'setNumberExists'
  | 'session'
  | 'reset'
>;

export function controlRoutes(
  engine: SimEngine,
  control: Control,
  requests: () => SimRequestRecord[],
): Route[] {
  const r = (method: string, path: string, handler: Handler): Route => ({
    method,
    operation: `${method} ${path}`,
    pattern: new RegExp('^' + path.replace(/:[a-zA-Z]+/g, '([^/]+)') + '/?$'),
    handler,
    auth: false,
  });
  const ok = (body: unknown, status = 200): Reply => ({ status, json: body });
  const p = (ctx: Ctx, i: number) => ctx.params[i] as string;

  return [
    r('GET', '/__sim/sessions/:name', (ctx) => {
      const state = control.session(p(ctx, 0));
      if (!state) throw new SimControlError(404, `no session ${p(ctx, 0)}`);
      return ok(state);
    }),
    r('POST', '/__sim/sessions/:name/link', (ctx) => {
      const me = asObject(ctx.body).me;
      return ok(control.link(p(ctx, 0), me === undefined ? undefined : (asObject(me) as Partial<MeInfo>)));
    }),
    r('POST', '/__sim/sessions/:name/link-passkey', (ctx) => {
      const body = asObject(ctx.body);
      return ok(
        control.linkWithPasskey(p(ctx, 0), {
          ...(body.me === undefined ? {} : { me: asObject(body.me) as Partial<MeInfo> }),
          confirmWithCode: body.confirmWithCode !== false,
        }),
      );
    }),
    r('POST', '/__sim/sessions/:name/passkey/approve', (ctx) => ok(control.passkeyApprove(p(ctx, 0)))),
    r('POST', '/__sim/sessions/:name/passkey/confirm', (ctx) => ok(control.passkeyConfirm(p(ctx, 0)))),
    r('PUT', '/__sim/sessions/:name/capping', (ctx) =>
      ok(
        control.setCapping(p(ctx, 0), ctx.body === null ? null : (asObject(ctx.body) as Partial<SimCapping>)),
      ),
    ),
    r('PUT', '/__sim/sessions/:name/timelock', (ctx) =>
      ok(
        control.setTimelock(
          p(ctx, 0),
          ctx.body === null ? null : (asObject(ctx.body) as Partial<SimTimelock>),
        ),
      ),
    ),
    r('POST', '/__sim/sessions/:name/inbound', (ctx) =>
      ok(control.inbound(p(ctx, 0), asObject(ctx.body) as unknown as SimInboundInput), 201),
    ),
    r('POST', '/__sim/sessions/:name/messages/:id/ack', (ctx) =>
      ok(control.ack(p(ctx, 0), p(ctx, 1), asObject(ctx.body).ack as WahaAck | string)),
    ),
    r('POST', '/__sim/sessions/:name/messages/:id/react', (ctx) => {
      const body = asObject(ctx.body) as Partial<ReactInput>;
      return ok(control.react(p(ctx, 0), { ...body, messageId: p(ctx, 1) } as ReactInput), 201);
    }),
    r('POST', '/__sim/sessions/:name/messages/:id/edit', (ctx) => {
      const body = asObject(ctx.body).body as string;
      return ok(control.edit(p(ctx, 0), { messageId: p(ctx, 1), body }), 201);
    }),
    r('POST', '/__sim/sessions/:name/messages/:id/revoke', (ctx) =>
      ok(control.revoke(p(ctx, 0), { messageId: p(ctx, 1) }), 201),
    ),
    r('POST', '/__sim/sessions/:name/messages/:id/expire-media', (ctx) =>
      ok(control.expireMedia(p(ctx, 0), p(ctx, 1))),
    ),
    r('POST', '/__sim/sessions/:name/groups', (ctx) =>
      ok(control.createGroup(p(ctx, 0), asObject(ctx.body) as unknown as CreateGroupInput), 201),
    ),
    r('POST', '/__sim/sessions/:name/lids', (ctx) => {
      const body = asObject(ctx.body);
      return ok(control.setLid(p(ctx, 0), body.lid as string, body.pn as string));
    }),
    r('GET', '/__sim/sent-media', () =>
      ok(control.sentMedia().map((m) => ({ ...m, bytes: m.bytes.toString('base64') }))),
    ),
    r('POST', '/__sim/sessions/:name/disconnect', (ctx) =>
      ok(control.disconnect(p(ctx, 0), { loggedOut: asObject(ctx.body).loggedOut === true })),
    ),
    r('POST', '/__sim/sessions/:name/fail', (ctx) => {
      const reason = asObject(ctx.body).reason;
      return ok(control.fail(p(ctx, 0), typeof reason === 'string' ? reason : undefined));
    }),
    r('POST', '/__sim/faults', (ctx) => {
      control.setFaults(asObject(ctx.body) as SimFaults);
      return ok({ ok: true });
    }),
    r('DELETE', '/__sim/faults', () => {
      control.clearFaults();
      return ok({ ok: true });
    }),
    r('POST', '/__sim/webhooks/duplicate-next', (ctx) => {
      const count = asObject(ctx.body).count ?? 1;
      control.duplicateNextWebhooks(count as number);
      return ok({ ok: true });
    }),
    r('GET', '/__sim/webhooks', () => ok(engine.dispatcher.deliveries())),
    r('POST', '/__sim/numbers/:phone', (ctx) => {
      control.setNumberExists(p(ctx, 0), asObject(ctx.body).exists !== false);
      return ok({ ok: true });
    }),
    r('GET', '/__sim/requests', () => ok(requests())),
    r('POST', '/__sim/reset', () => {
      control.reset();
      return ok({ ok: true });
    }),
  ];
}
