/** WAHA's server, sessions and auth (QR, pairing code) endpoints. */
import QRCode from 'qrcode';
import { ulid } from 'ulid';

import type { SessionConfig } from '../../../src/waha/waha.types.js';
import type { SimEngine } from './sim-engine.js';
import { WahaHttpError } from './sim-errors.js';
import { asObject, type Ctx, json, type Route, wahaRoute } from './sim-http.js';
import { meWithLimits, passkeyApprove, passkeyConfirm } from './sim-limits.js';
import { sessionDto, sessionInfo } from './sim-session.js';
import { WAHA_EVENTS } from './webhook-dispatcher.js';

const SESSION_NAME = /^[a-zA-Z0-9_-]{1,54}$/;
/** A GOWS account WhatsApp has not capped: WAHA's answer before any capping was reported. */
const NO_CAPPING = {
  cappingStatus: 'NONE',
  totalQuota: -1,
  usedQuota: 0,
  cycleStart: 0,
  cycleEnd: 0,
  mvStatus: 'NONE',
  oteStatus: 'NONE',
};

const first = (ctx: Ctx) => ctx.params[0] as string;

export function sessionRoutes(engine: SimEngine): Route[] {
  return [
    wahaRoute('GET', '/ping', () => json(200, { message: 'pong' }), false),
    wahaRoute('GET', '/api/server/version', () => json(200, engine.environment)),
    wahaRoute('GET', '/api/server/status', () =>
      json(200, {
        startTimestamp: engine.startedAt,
        uptime: Date.now() - engine.startedAt,
        worker: { id: 'waha-sim' },
      }),
    ),

    wahaRoute('GET', '/api/sessions', (ctx) =>
      json(
        200,
        engine.list(ctx.query.get('all') === 'true').map((s) => sessionInfo(s)),
      ),
    ),
    wahaRoute('POST', '/api/sessions', (ctx) => {
      const body = asObject(ctx.body);
      const name = body.name === undefined ? `session_${ulid().toLowerCase()}` : body.name;
      const errors: string[] = [];
      if (typeof name !== 'string' || !SESSION_NAME.test(name)) {
        errors.push('name must be 1-54 characters of a-z, A-Z, 0-9, _ or -');
      }
      if (body.start !== undefined && typeof body.start !== 'boolean')
        errors.push('start must be a boolean value');
      errors.push(...configErrors(body.config));
      if (errors.length) throw WahaHttpError.badRequest(errors);
      // WAHA's code: `request.start || false` — the spec's "default: true" is not what runs.
      const session = engine.create(
        name as string,
        body.config as SessionConfig | undefined,
        body.start === true,
      );
      return json(201, sessionDto(session));
    }),
    wahaRoute('GET', '/api/sessions/{session}', (ctx) => json(200, sessionInfo(engine.get(first(ctx))))),
    wahaRoute('PUT', '/api/sessions/{session}', (ctx) => {
      const session = engine.get(first(ctx));
      const body = asObject(ctx.body);
      const errors = configErrors(body.config);
      if (errors.length) throw WahaHttpError.badRequest(errors);
      engine.update(session, body.config as SessionConfig | undefined);
      return json(200, sessionDto(session));
    }),
    wahaRoute('DELETE', '/api/sessions/{session}', (ctx) => {
      engine.delete(first(ctx));
      return { status: 200 };
    }),
    wahaRoute('GET', '/api/sessions/{session}/me', (ctx) => {
      const session = engine.get(first(ctx));
      return session.me ? json(200, meWithLimits(session)) : { status: 200 };
    }),
    // WAHA 2026.8.1 (PR #2186): the account's message capping, fresh; GOWS only (the others 422).
    wahaRoute('GET', '/api/sessions/{session}/capping', async (ctx) => {
      const name = first(ctx);
      engine.get(name);
      if (engine.options.engine !== 'GOWS') {
        throw WahaHttpError.unprocessable(
          `Message capping is available only for GOWS engine, not ${engine.options.engine}`,
        );
      }
      const session = await engine.requireStatus(name, ['WORKING']);
      return json(200, session.limits.capping ?? { ...NO_CAPPING });
    }),
    // WAHA 2026.8: the reach-out timelock, fresh; null when WhatsApp set none.
    wahaRoute('GET', '/api/sessions/{session}/timelock', async (ctx) => {
      const session = await engine.requireStatus(first(ctx), ['WORKING']);
      return json(200, session.limits.timelock);
    }),
    ...(['start', 'stop', 'restart', 'logout'] as const).map((action) =>
      wahaRoute('POST', `/api/sessions/{session}/${action}`, (ctx) => {
        const session = engine.get(first(ctx));
        engine[action](session);
        return json(201, sessionDto(session));
      }),
    ),

    wahaRoute('GET', '/api/{session}/auth/qr', async (ctx) => {
      const format = ctx.query.get('format') ?? 'image';
      if (format !== 'image' && format !== 'raw')
        throw WahaHttpError.badRequest(['format must be one of: image, raw']);
      const session = await engine.requireStatus(first(ctx), ['SCAN_QR_CODE']);
      const qr = session.qr as NonNullable<typeof session.qr>;
      if (format === 'raw') return json(200, { value: qr.value });
      const png = await QRCode.toBuffer(qr.value, { type: 'png', margin: 1, width: 264 });
      // WAHA's BufferResponseInterceptor: JSON only for an Accept of exactly application/json.
      if (ctx.headers.accept === 'application/json') {
        return json(200, { mimetype: 'image/png', data: png.toString('base64') });
      }
      return { status: 200, png };
    }),
    // WAHA 2026.7.1, GOWS: linking by passkey.
    wahaRoute('GET', '/api/{session}/auth/passkey/challenge', async (ctx) => {
      const session = await engine.requireStatus(first(ctx), ['PASSKEY_REQUIRED']);
      return json(200, session.passkey?.challenge);
    }),
    wahaRoute('POST', '/api/{session}/auth/passkey', async (ctx) => {
      const body = asObject(ctx.body);
      const response = asObject(body.response);
      const errors: string[] = [];
      for (const field of ['id', 'rawId', 'type'] as const) {
        if (typeof body[field] !== 'string') errors.push(`${field} must be a string`);
      }
      for (const field of ['clientDataJSON', 'authenticatorData', 'signature'] as const) {
        if (typeof response[field] !== 'string') errors.push(`response.${field} must be a string`);
      }
      if (errors.length) throw WahaHttpError.badRequest(errors);
      const session = await engine.requireStatus(first(ctx), ['PASSKEY_REQUIRED']);
      passkeyApprove(engine, session);
      return { status: 201 };
    }),
    wahaRoute('GET', '/api/{session}/auth/passkey/confirmation', async (ctx) => {
      const session = await engine.requireStatus(first(ctx), ['PASSKEY_CONFIRMATION_REQUIRED']);
      return json(200, { code: session.passkey?.code });
    }),
    wahaRoute('POST', '/api/{session}/auth/passkey/confirm', async (ctx) => {
      const session = await engine.requireStatus(first(ctx), ['PASSKEY_CONFIRMATION_REQUIRED']);
      passkeyConfirm(engine, session);
      return { status: 201 };
    }),
    wahaRoute('POST', '/api/{session}/auth/request-code', async (ctx) => {
      const body = asObject(ctx.body);
      if (typeof body.phoneNumber !== 'string')
        throw WahaHttpError.badRequest(['phoneNumber must be a string']);
      const session = await engine.requireStatus(first(ctx), ['SCAN_QR_CODE']);
      return json(201, { code: engine.requestCode(session, body.phoneNumber) });
    }),
  ];
}

function configErrors(config: unknown): string[] {
  if (config === undefined) return [];
  const hooks = asObject(config).webhooks;
  if (hooks === undefined) return [];
  if (!Array.isArray(hooks)) return ['config.webhooks must be an array'];
  const errors: string[] = [];
  hooks.forEach((hook, i) => {
    const h = asObject(hook);
    if (typeof h.url !== 'string') errors.push(`config.webhooks.${i}.url must be a string`);
    if (!Array.isArray(h.events)) errors.push(`config.webhooks.${i}.events must be an array`);
    // WAHA checks each name against its events (class-validator's IsEnum, each); `*` is every event.
    else if (!h.events.every((e) => e === '*' || (WAHA_EVENTS as readonly unknown[]).includes(e))) {
      errors.push(
        `config.webhooks.${i}.each value in events must be one of the following values: ${WAHA_EVENTS.join(', ')}`,
      );
    }
    const policy = asObject(h.retries).policy;
    if (policy !== undefined && !['linear', 'exponential', 'constant'].includes(policy as string)) {
      errors.push(`config.webhooks.${i}.retries.policy must be one of: linear, exponential, constant`);
    }
  });
  return errors;
}
