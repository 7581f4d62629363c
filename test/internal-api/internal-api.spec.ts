import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { parseGlobalId } from '../../src/common/global-ids.js';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { Topic } from '../../src/realtime/topics.js';
import { WhatsappSession } from '../../src/whatsapp-sessions/whatsapp-session.entity.js';
import { INTERNAL_KEY_HEADER } from '../../src/config/http-surface.js';
import { codesOf, startTestApp, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';

const KEY = 'the-key-only-n8n-knows-123';

describe('the internal API for n8n', () => {
  let t: TestApp;
  let token: string;
  let tenantId: string;

  beforeAll(async () => {
    t = await startTestApp({ INTERNAL_API_KEY: KEY });
    token = await t.token('acme');
    const viewer = await t.gql<{ viewer: { tenant: { id: string } } }>(
      '{ viewer { tenant { id } } }',
      {},
      { token },
    );
    // The tenants row's id: what realtime topics and the internal API name a tenant by.
    tenantId = parseGlobalId(viewer.data!.viewer.tenant.id)!.key;
  });
  afterAll(() => t.close());

  async function newSession(name: string, authMethod = 'QR'): Promise<string> {
    const input =
      authMethod === 'QR'
        ? { displayName: name }
        : { displayName: name, authMethod, phoneNumber: '+4915123456789' };
    const result = await t.gql<{ createWhatsappSession: { id: string } }>(
      'mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { id } }',
      { input },
      { token },
    );
    return result.data!.createWhatsappSession.id;
  }

  async function row(id: string) {
    return t.app.get(MikroORM).em.fork().findOneOrFail(WhatsappSession, { id }, { filters: false });
  }

  const REPORT_QR = `mutation($input: ReportQrInput!) { reportQr(input: $input) { id status qrValue qrSequence } }`;

  describe('who may call it', () => {
    it.each<[string, string | null, Record<string, string>, number, string]>([
      ['no key', null, {}, 401, 'UNAUTHENTICATED'],
      ['a wrong key', 'the-key-only-n8n-knows-124', {}, 401, 'UNAUTHENTICATED'],
      ['a dashboard token instead of the key', null, { authorization: 'Bearer x' }, 401, 'UNAUTHENTICATED'],
    ])('refuses %s and changes nothing', async (_case, key, headers, status, code) => {
      const id = await newSession(`refused ${_case}`);
      const before = JSON.stringify(await row(id));
      const result = await internalGql(
        { url: t.url, key },
        REPORT_QR,
        { input: { sessionId: id, value: 'qr-value' } },
        headers,
      );
      expect(result.status).toBe(status);
      expect(codesOf(result)).toEqual([code]);
      expect(JSON.stringify(await row(id))).toBe(before);
    });

    it('refuses even introspection without the key', async () => {
      const result = await internalGql({ url: t.url, key: null }, '{ __schema { queryType { name } } }');
      expect(result.status).toBe(401);
      expect(result.data).toBeUndefined();
    });

    it('refuses a caller outside INTERNAL_ALLOWED_IPS, even with the right key', async () => {
      const fenced = await startTestApp({ INTERNAL_API_KEY: KEY, INTERNAL_ALLOWED_IPS: '10.1.2.3' }, t.db);
      try {
        const id = await newSession('fenced');
        const before = JSON.stringify(await row(id));
        const result = await internalGql(fenced, REPORT_QR, { input: { sessionId: id, value: 'x' } });
        expect(result.status).toBe(403);
        expect(codesOf(result)).toEqual(['FORBIDDEN']);
        expect(JSON.stringify(await row(id))).toBe(before);
      } finally {
        await fenced.app.close();
      }
    });

    it('lets a caller inside INTERNAL_ALLOWED_IPS through', async () => {
      const fenced = await startTestApp(
        { INTERNAL_API_KEY: KEY, INTERNAL_ALLOWED_IPS: '10.1.2.3, 127.0.0.1' },
        t.db,
      );
      try {
        const id = await newSession('allowed');
        const result = await internalGql(fenced, REPORT_QR, { input: { sessionId: id, value: 'x' } });
        expect(result.errors).toBeUndefined();
      } finally {
        await fenced.app.close();
      }
    });

    it('is not reachable through the public endpoint, not even with the key', async () => {
      const id = await newSession('public attempt');
      const result = await t.gql(
        REPORT_QR,
        { input: { sessionId: id, value: 'x' } },
        { token, headers: { [INTERNAL_KEY_HEADER]: KEY } },
      );
      expect(result.errors!.map((error) => [error.extensions?.['code'], error.message])).toEqual([
        ['GRAPHQL_VALIDATION_FAILED', 'Unknown type "ReportQrInput".'],
        ['GRAPHQL_VALIDATION_FAILED', 'Cannot query field "reportQr" on type "Mutation".'],
      ]);
      const types = await t.gql<{ __schema: { types: { name: string }[] } }>(
        '{ __schema { types { name } } }',
        {},
      );
      const names = types.data!.__schema.types.map((type) => type.name);
      expect(names).toContain('WhatsappSession');
      expect(names.filter((name) => /Internal|Report|WahaSessionStatus|JSON/.test(name))).toEqual([]);
    });
  });

  describe('every report is idempotent: sent twice, it has one effect', () => {
    async function twice(query: string, input: Record<string, unknown>, sessionId: string) {
      const updates: unknown[] = [];
      const iterator = t.app.get(RealtimeService).subscribe(Topic.SESSION_UPDATED, tenantId);
      const collecting = (async () => {
        for await (const update of iterator) updates.push(update);
      })();
      const first = await internalGql(t, query, { input });
      expect(first.errors).toBeUndefined();
      const afterFirst = JSON.stringify(await row(sessionId));
      const second = await internalGql(t, query, { input });
      expect(second.errors).toBeUndefined();
      expect(JSON.stringify(await row(sessionId))).toBe(afterFirst);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await iterator.return?.();
      await collecting;
      return { first, updates };
    }

    it('reportSessionStatus', async () => {
      const id = await newSession('status twice');
      const query = `mutation($input: ReportSessionStatusInput!) { reportSessionStatus(input: $input) { status me { id pushName } } }`;
      const { first, updates } = await twice(
        query,
        { sessionId: id, status: 'WORKING', me: { id: '4915123456789@c.us', pushName: 'Ann' } },
        id,
      );
      expect(first.data).toEqual({
        reportSessionStatus: { status: 'WORKING', me: { id: '4915123456789@c.us', pushName: 'Ann' } },
      });
      expect(updates).toHaveLength(1);
      expect((await row(id)).updatedBy).toBe('system:n8n');
    });

    it('reportQr, with WAHA clock defaults: the first QR is number 1 and lives 60 s, the next 20 s', async () => {
      const id = await newSession('qr twice');
      const { updates } = await twice(REPORT_QR, { sessionId: id, value: 'first-qr' }, id);
      expect(updates).toHaveLength(1);
      const first = await row(id);
      expect(first).toMatchObject({ status: 'SCAN_QR_CODE', qrValue: 'first-qr', qrSequence: 1 });
      expect(first.qrExpiresAt!.getTime() - first.updatedAt.getTime()).toBeGreaterThan(59_000);
      expect(first.qrExpiresAt!.getTime() - first.updatedAt.getTime()).toBeLessThanOrEqual(60_500);

      await twice(REPORT_QR, { sessionId: id, value: 'second-qr' }, id);
      const second = await row(id);
      expect(second).toMatchObject({ qrValue: 'second-qr', qrSequence: 2 });
      expect(second.qrExpiresAt!.getTime() - second.updatedAt.getTime()).toBeLessThanOrEqual(20_500);
    });

    it('reportPairingCode', async () => {
      const id = await newSession('code twice', 'PHONE_CODE');
      const query = `mutation($input: ReportPairingCodeInput!) { reportPairingCode(input: $input) { pairingCode status } }`;
      const { first, updates } = await twice(query, { sessionId: id, code: 'ABCD1234' }, id);
      expect(first.data).toEqual({ reportPairingCode: { pairingCode: 'ABCD-1234', status: 'SCAN_QR_CODE' } });
      expect(updates).toHaveLength(1);
    });

    it('reportLinkedAccount', async () => {
      const id = await newSession('me twice');
      const query = `mutation($input: ReportLinkedAccountInput!) { reportLinkedAccount(input: $input) { me { id } } }`;
      const { updates } = await twice(
        query,
        { sessionId: id, me: { id: '447700900123@c.us', pushName: 'Bo' } },
        id,
      );
      expect(updates).toHaveLength(1);
      expect((await row(id)).meId).toBe('447700900123@c.us');
    });

    it('reportSessionFailure, which keeps WAHA status code and message for the dashboard', async () => {
      const id = await newSession('failure twice');
      const query = `mutation($input: ReportSessionFailureInput!) { reportSessionFailure(input: $input) { status lastError } }`;
      const { first, updates } = await twice(
        query,
        {
          sessionId: id,
          reason: 'Could not start the session',
          wahaStatusCode: 422,
          wahaMessage: 'Session status is not as expected',
          status: 'FAILED',
        },
        id,
      );
      expect(first.data).toEqual({
        reportSessionFailure: {
          status: 'FAILED',
          lastError: 'Could not start the session (WAHA 422: Session status is not as expected)',
        },
      });
      expect(updates).toHaveLength(1);
    });

    it('reportSessionDeleted removes a deleted session once; again it answers false', async () => {
      const id = await newSession('deleted twice');
      await t.gql('mutation($id: ID!) { deleteWhatsappSession(id: $id) { id } }', { id }, { token });
      const query = `mutation($input: ReportSessionDeletedInput!) { reportSessionDeleted(input: $input) }`;
      expect((await internalGql(t, query, { input: { sessionId: id } })).data).toEqual({
        reportSessionDeleted: true,
      });
      expect((await internalGql(t, query, { input: { sessionId: id } })).data).toEqual({
        reportSessionDeleted: false,
      });
      expect(await t.app.get(MikroORM).em.fork().count(WhatsappSession, { id }, { filters: false })).toBe(0);
    });
  });

  it.each([
    ['WORKING', { value: 'late-qr' }, 'reportQr'],
    ['WORKING', { code: 'LATE-CODE' }, 'reportPairingCode'],
    ['FAILED', { value: 'late-qr' }, 'reportQr'],
  ])('ignores a QR or code reported after the session became %s (%s)', async (status, input, _mutation) => {
    const id = await newSession(`late ${_mutation} ${status}`);
    await internalGql(
      t,
      `mutation($input: ReportSessionStatusInput!) { reportSessionStatus(input: $input) { id } }`,
      {
        input: { sessionId: id, status, me: status === 'WORKING' ? { id: '4915000000001@c.us' } : null },
      },
    );
    const before = JSON.stringify(await row(id));
    const query =
      'value' in input
        ? `mutation($input: ReportQrInput!) { reportQr(input: $input) { status } }`
        : `mutation($input: ReportPairingCodeInput!) { reportPairingCode(input: $input) { status } }`;
    const result = await internalGql<Record<string, { status: string }>>(t, query, {
      input: { sessionId: id, ...input },
    });
    expect(Object.values(result.data!)[0]!.status).toBe(status);
    expect(JSON.stringify(await row(id))).toBe(before);
  });

  describe('bad reports get a coded error and change nothing', () => {
    it.each([
      ['an unknown session', { sessionId: 'ws_unknown', value: 'x' }, 'NOT_FOUND', undefined],
      ['a QR number outside 1 to 6', { value: 'x', sequence: 7 }, 'BAD_USER_INPUT', 'input.sequence'],
      ['an empty QR', { value: '' }, 'BAD_USER_INPUT', 'input.value'],
    ])('reportQr with %s', async (_case, input, code, field) => {
      const id = await newSession(`bad qr ${_case}`);
      const before = JSON.stringify(await row(id));
      const result = await internalGql(t, REPORT_QR, { input: { sessionId: id, ...input } });
      expect(result.errors).toEqual([
        expect.objectContaining({ extensions: field ? { code, field } : { code } }),
      ]);
      expect(JSON.stringify(await row(id))).toBe(before);
    });

    it('reportPairingCode with a malformed code', async () => {
      const id = await newSession('bad code', 'PHONE_CODE');
      const result = await internalGql(
        t,
        `mutation { reportPairingCode(input: { sessionId: "${id}", code: "nope" }) { id } }`,
        {},
      );
      expect(result.errors).toEqual([
        expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input.code' } }),
      ]);
    });

    it('reportSessionDeleted for a session its tenant did not delete', async () => {
      const id = await newSession('kept');
      const result = await internalGql(
        t,
        `mutation { reportSessionDeleted(input: { sessionId: "${id}" }) }`,
        {},
      );
      expect(codesOf(result)).toEqual(['FAILED_PRECONDITION']);
      expect(await t.app.get(MikroORM).em.fork().count(WhatsappSession, { id }, { filters: false })).toBe(1);
    });
  });

  it('gives workflows the session with its WAHA create request', async () => {
    const id = await newSession('for workflows');
    const result = await internalGql<{
      workflowSession: { tenantId: string; wahaRequest: { name: string; start: boolean } };
    }>(
      t,
      `query($id: ID!) { workflowSession(sessionId: $id) { id tenantId status authMethod wahaRequest } }`,
      {
        id,
      },
    );
    expect(result.data!.workflowSession).toMatchObject({ tenantId, wahaRequest: { name: id, start: true } });
  });
});
