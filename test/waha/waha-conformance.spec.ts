import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { WahaClient } from '../support/waha-client/waha.client.js';
import { sampleBytes } from '../tools/waha-sim/sim-media.js';
import {
  startWahaSimulator,
  type SimRequestRecord,
  type WahaSimulator,
} from '../tools/waha-sim/waha-simulator.js';
import { exerciseMedia, MEDIA_EVENTS, MEDIA_OPERATIONS } from './support/conformance-media.js';
import {
  createSpecValidator,
  loadSpec,
  SPEC_PATH,
  WAHA_DEPARTURES,
  WAHA_ENGINE_ANSWERS,
  WAHA_NULLABLE,
  WAHA_OUTSIDE_SPEC,
  type Operation,
} from './support/openapi.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Every WAHA operation the product uses: the client must call each, the simulator answer each
 * (MEDIA_OPERATIONS are called over plain HTTP, in support/conformance-media.ts).
 */
const CLIENT_OPERATIONS = [
  'GET /ping',
  'GET /api/server/version',
  'GET /api/server/status',
  'GET /api/sessions',
  'POST /api/sessions',
  'GET /api/sessions/{session}',
  'PUT /api/sessions/{session}',
  'DELETE /api/sessions/{session}',
  'GET /api/sessions/{session}/me',
  'POST /api/sessions/{session}/start',
  'POST /api/sessions/{session}/stop',
  'POST /api/sessions/{session}/restart',
  'POST /api/sessions/{session}/logout',
  'GET /api/{session}/auth/qr',
  'POST /api/{session}/auth/request-code',
  'POST /api/sendText',
  'POST /api/sendSeen',
  'POST /api/startTyping',
  'POST /api/stopTyping',
  'GET /api/contacts/check-exists',
  'GET /api/{session}/chats',
  'GET /api/{session}/chats/overview',
  'GET /api/{session}/chats/{chatId}/messages',
] as const;

const OPERATIONS = [...CLIENT_OPERATIONS, ...MEDIA_OPERATIONS];
const EVENTS = ['session.status', 'message', 'message.any', 'message.ack', ...MEDIA_EVENTS] as const;
const outsideSpec = (record: SimRequestRecord) =>
  WAHA_OUTSIDE_SPEC.some((route) => route.operation === record.operation);
const CHAT = '4915112345678@c.us';
const validator = createSpecValidator();

/** Runs every client call against a simulator, with webhooks on, and returns what was exchanged. */
async function exercise(sim: WahaSimulator, hooks: WebhookReceiver) {
  const waha = new WahaClient({ baseUrl: sim.url, apiKey: 'conformance', retries: 0 });
  const name = 'conformance';
  await waha.ping();
  await waha.serverVersion();
  await waha.serverStatus();
  await waha.createSession({
    name,
    config: {
      metadata: { 'tenant.id': 't1' },
      webhooks: [
        {
          url: hooks.url,
          events: [...EVENTS],
          hmac: { key: 'k' },
          retries: { policy: 'exponential', delaySeconds: 1, attempts: 3 },
          customHeaders: [{ name: 'X-Tenant', value: 't1' }],
        },
      ],
    },
  });
  await sim.waitForStatus(name, 'SCAN_QR_CODE');
  await waha.getQrValue(name);
  await waha.getQrBase64(name);
  await waha.getQrPng(name);
  await waha.requestPairingCode(name, '4915112345678');
  sim.link(name, { id: '4917000000001@c.us', pushName: 'Shop' });
  await waha.getMe(name);
  await waha.getSession(name);
  await waha.listSessions();
  const sent = await waha.sendText({ session: name, chatId: CHAT, text: 'Hello' });
  const inbound = sim.inbound(name, { from: CHAT, body: 'Hi', pushName: 'Customer' });
  sim.ack(name, sent.id, 3);
  await waha.sendText({ session: name, chatId: CHAT, text: 'Reply', replyTo: inbound.id });
  await exerciseMedia(sim, name, CHAT, 'conformance');
  await waha.sendSeen({ session: name, chatId: CHAT, messageIds: [inbound.id] });
  await waha.startTyping({ session: name, chatId: CHAT });
  await waha.stopTyping({ session: name, chatId: CHAT });
  await waha.checkNumberExists(name, '4915112345678');
  await waha.listChats(name, { limit: 10 });
  await waha.chatsOverview(name, { limit: 10, ids: [CHAT] });
  await waha.chatMessages(name, CHAT, { limit: 10, fromMe: true, ack: 'READ', timestampGte: 0 });
  await waha.chatMessages(name, CHAT, { limit: 100 });
  await waha.stopSession(name);
  await expect(waha.sendText({ session: name, chatId: CHAT, text: 'stopped' })).rejects.toMatchObject({
    code: 'FAILED_PRECONDITION',
  });
  await waha.updateSession(name, { metadata: { 'tenant.id': 't1' }, webhooks: [] });
  await waha.startSession(name);
  await sim.waitForStatus(name, 'WORKING');
  await waha.restartSession(name);
  await sim.waitForStatus(name, 'WORKING');
  await waha.logoutSession(name);
  await waha.deleteSession(name);
  await hooks.waitFor(() => EVENTS.every((event) => hooks.events(name, event).length > 0));
  return sim.requests();
}

function operationOf(record: SimRequestRecord): Operation {
  expect(record.operation).not.toBeNull();
  const [method, path] = (record.operation as string).split(' ') as [string, string];
  return validator.operation(method, path);
}

function queryProblems(record: SimRequestRecord, op: Operation): string[] {
  const declared = new Map(
    (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p as Record<string, unknown>]),
  );
  const problems: string[] = [];
  for (const [name, values] of Object.entries(record.query)) {
    const param = declared.get(name);
    if (!param) {
      problems.push(`query ${name} is not in the spec`);
      continue;
    }
    const schema = (param.schema ?? {}) as { type?: string; enum?: unknown[]; items?: { type?: string } };
    for (const value of values) {
      const type = schema.type === 'array' ? schema.items?.type : schema.type;
      if (schema.enum && !schema.enum.includes(value)) problems.push(`query ${name}=${value} not in enum`);
      if (type === 'number' && Number.isNaN(Number(value)))
        problems.push(`query ${name}=${value} is not a number`);
      if (type === 'boolean' && !['true', 'false'].includes(value))
        problems.push(`query ${name}=${value} not boolean`);
    }
  }
  for (const [name, param] of declared) {
    if (param.required === true && !(name in record.query))
      problems.push(`required query ${name} is missing`);
  }
  return problems;
}

describe('WAHA conformance: client and simulator against ../shared/waha/openapi.json', () => {
  it('reads WAHA 2026.7.1 spec from the shared folder', () => {
    expect(SPEC_PATH.endsWith('/shared/waha/openapi.json')).toBe(true);
    expect(validator.spec.info.version).toBe('2026.7.1');
  });

  it('lists only departures that are still in the spec', () => {
    const raw = loadSpec().components.schemas;
    for (const departure of WAHA_DEPARTURES) {
      expect(raw[departure.schema]?.required).toContain(departure.notRequired);
    }
    for (const departure of WAHA_NULLABLE) {
      const properties = raw[departure.schema]?.properties as Record<string, Record<string, unknown>>;
      expect([departure.schema, departure.property, properties[departure.property]?.nullable]).toEqual([
        departure.schema,
        departure.property,
        undefined,
      ]);
      expect(properties[departure.property]).toBeDefined();
    }
    for (const departure of WAHA_ENGINE_ANSWERS) {
      const [method, path] = departure.operation.split(' ') as [string, string];
      const responses = Object.values(validator.operation(method, path).responses);
      expect(responses.some((r) => r.content?.['application/json'] !== undefined)).toBe(true);
    }
    for (const route of WAHA_OUTSIDE_SPEC) {
      const [method, path] = route.operation.split(' ') as [string, string];
      expect(() => validator.operation(method, path)).toThrow(/has no/);
    }
  });

  it('rejects what the spec forbids (the checks below can fail)', () => {
    expect(validator.errorsFor('SessionDTO', { name: 'x', status: 'BOGUS' })).not.toEqual([]);
    expect(validator.errorsFor('WAMessage', { id: 'x' })).not.toEqual([]);
    expect(
      validator.errorsFor('SessionCreateRequest', { name: 'x', config: { webhooks: [{ url: 'http://x' }] } }),
    ).not.toEqual([]);
    expect(
      validator.errorsFor('ChatSummary', { id: 'x', picture: null, lastMessage: {}, _chat: {} }),
    ).not.toEqual([]);
    // `nullable: true` is read as a null member of the type.
    expect(
      validator.errorsFor('ChatSummary', { id: 'x', name: null, picture: null, lastMessage: {}, _chat: {} }),
    ).toEqual([]);
    const envelope = {
      id: 'evt_01',
      timestamp: 1,
      session: 's',
      event: 'message.ack',
      engine: 'WEBJS',
      environment: {
        version: 'v',
        engine: 'WEBJS',
        tier: 'PLUS',
        browser: '',
        platform: 'p',
        worker: { id: null },
      },
      payload: { id: 'i', from: 'f', to: 't', fromMe: true, ack: 3, ackName: 'READ' },
    };
    expect(validator.errorsFor('WAHAWebhookMessageAck', envelope)).toEqual([]);
    expect(validator.errorsFor('WAHAWebhookMessageAck', { ...envelope, event: 'nope' })).not.toEqual([]);
    expect(
      validator.errorsFor('WAHAWebhookMessageAck', { ...envelope, payload: { ...envelope.payload, ack: 9 } }),
    ).not.toEqual([]);
    expect(validator.errorsFor('WAHAWebhookMessageAck', { ...envelope, environment: undefined })).not.toEqual(
      [],
    );
  });

  describe.each(['WEBJS', 'NOWEB', 'GOWS'] as const)('engine %s', (engine) => {
    let sim: WahaSimulator;
    let hooks: WebhookReceiver;
    let records: readonly SimRequestRecord[];

    beforeAll(async () => {
      // WAHA's QR window at 1/4 speed is 40 s: ample for the few calls made in it, even on a busy
      // machine (at 1/50 it was 3.2 s, and a slow PNG render let WAHA fail the session first).
      sim = await startWahaSimulator({ engine, apiKey: 'conformance', timeScale: 0.25 });
      hooks = await startWebhookReceiver();
      records = await exercise(sim, hooks);
    });
    afterAll(async () => {
      await sim.close();
      await hooks.close();
    });

    it('calls every operation, each one in the spec with this method and path', () => {
      const answered = new Set(records.filter((r) => r.status < 300).map((r) => r.operation));
      expect([...OPERATIONS].filter((op) => !answered.has(op))).toEqual([]);
      for (const record of records.filter((r) => !outsideSpec(r))) operationOf(record);
    });

    it('sends query parameters the spec declares, with the required ones', () => {
      for (const record of records.filter((r) => !outsideSpec(r))) {
        expect([record.operation, queryProblems(record, operationOf(record))]).toEqual([
          record.operation,
          [],
        ]);
      }
    });

    it('sends request bodies that match the spec', () => {
      for (const record of records.filter((r) => !outsideSpec(r))) {
        const op = operationOf(record);
        const schema = op.requestBody?.content['application/json']?.schema;
        if (!schema) {
          expect([record.operation, record.requestBody]).toEqual([record.operation, undefined]);
          continue;
        }
        expect([record.operation, validator.errors(schema, record.requestBody)]).toEqual([
          record.operation,
          [],
        ]);
      }
    });

    it('answers with the status codes and bodies the spec declares', () => {
      for (const record of records.filter((r) => r.status < 300 && !outsideSpec(r))) {
        const op = operationOf(record);
        const response = op.responses[String(record.status)];
        expect([record.operation, record.status, response !== undefined]).toEqual([
          record.operation,
          record.status,
          true,
        ]);
        const content = response?.content;
        if (record.contentType === 'image/png') {
          expect(content?.['image/png']).toBeDefined();
          continue;
        }
        const schema = content?.['application/json']?.schema;
        if (!schema) continue; // the spec describes no body (delete, typing, request-code, chats)
        if (
          WAHA_ENGINE_ANSWERS.some(
            (d) => d.operation === record.operation && (d.engines as readonly string[]).includes(engine),
          )
        ) {
          // Departure of WAHA itself: the engine's own object (or none) passes through.
          expect([record.operation, validator.errors(schema, record.responseBody)]).not.toEqual([
            record.operation,
            [],
          ]);
          continue;
        }
        expect([record.operation, validator.errors(schema, record.responseBody)]).toEqual([
          record.operation,
          [],
        ]);
      }
    });

    it("serves saved media under /api/files/ with the file's Content-Type", () => {
      const files = records.filter((r) => r.operation === 'GET /api/files/{session}/{filename}');
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        expect(file).toMatchObject({
          status: 200,
          contentType: 'image/png',
          responseBody: { bytes: sampleBytes('image').length },
        });
      }
    });

    it('answers request-code with {code} (the spec shows no body) in the ABCD-EFGH form', () => {
      const answer = records.find((r) => r.operation === 'POST /api/{session}/auth/request-code');
      expect(answer?.responseBody).toEqual({ code: expect.stringMatching(/^[A-Z]{4}-[A-Z]{4}$/) });
    });

    it("answers outside WORKING with WAHA's 422 body, statuses from the spec's enum", () => {
      const statuses = (
        validator.spec.components.schemas.SessionInfo as { properties: { status: { enum: string[] } } }
      ).properties.status.enum;
      const refused = records.filter((r) => r.status === 422);
      expect(refused.length).toBeGreaterThan(0);
      const schema = {
        type: 'object',
        required: ['error', 'session', 'status', 'expected'],
        additionalProperties: false,
        properties: {
          error: { type: 'string' },
          session: { type: 'string' },
          status: { enum: statuses },
          expected: { type: 'array', minItems: 1, items: { enum: statuses } },
        },
      };
      for (const record of refused) expect(validator.errors(schema, record.responseBody)).toEqual([]);
    });

    it.each(EVENTS)('sends %s webhooks that match the spec', (event) => {
      const sent = hooks.received.filter((h) => h.body.event === event);
      expect(sent.length).toBeGreaterThan(0);
      const schema = validator.spec.webhooks[event]?.post.requestBody.content['application/json']?.schema;
      expect(schema).toBeDefined();
      for (const hook of sent) {
        expect(validator.errors(schema as Record<string, unknown>, hook.body)).toEqual([]);
        expect(hook.body.engine).toBe(engine);
      }
    });
  });
});
