import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/core';
import { OutboxCommand } from '../../src/outbox/outbox-command.entity.js';
import { codesOf, type GraphqlResult, startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import {
  graphqlWsClient,
  report,
  sessionIdNamed,
  SESSION_UPDATED,
  type SessionUpdate,
  subscribeWs,
} from './support.js';

const SESSION = `id status authMethod phoneNumber qr { value sequence expiresAt pngDataUrl } pairingCode { code expiresAt }`;
const CREATE = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { ${SESSION} } }`;
const REFRESH = `mutation($id: ID!) { refreshWhatsappSessionQr(id: $id) { ${SESSION} } }`;
const REQUEST_CODE = `mutation($id: ID!, $phone: String!) { requestWhatsappPairingCode(id: $id, phoneNumber: $phone) { ${SESSION} } }`;

interface Session {
  id: string;
  status: string;
  authMethod: string;
  phoneNumber: string | null;
  qr: { value: string; sequence: number | null; expiresAt: string | null; pngDataUrl: string } | null;
  pairingCode: { code: string; expiresAt: string | null } | null;
}

async function commandsOf(t: TestApp, sessionId: string): Promise<{ type: string; payload: unknown }[]> {
  const rows = await t.app
    .get(MikroORM)
    .em.fork()
    .find(OutboxCommand, { sessionId }, { filters: false, orderBy: { id: 'asc' } });
  return rows.map((row) => ({ type: row.type, payload: row.payload }));
}

describe('createWhatsappSession with the QR arriving in time (CREATE_QR_WAIT_MS=25000)', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp({ CREATE_QR_WAIT_MS: '25000' });
    token = await t.token('acme');
  });
  afterAll(() => t.close());

  it('answers with the first QR, its PNG and expiry, reported while the create waits', async () => {
    const created = t.gql<{ createWhatsappSession: Session }>(
      CREATE,
      { input: { displayName: 'Quick' } },
      { token },
    );
    const id = await sessionIdNamed(t, token, 'Quick');
    const reportedFrom = Date.now();
    await report(t, 'reportQr', { sessionId: id, value: 'first-qr' });
    const reportedBy = Date.now();
    const result = await created;
    expect(result.errors).toBeUndefined();
    expect(result.data!.createWhatsappSession).toMatchObject({
      id,
      status: 'SCAN_QR_CODE',
      qr: { value: 'first-qr', sequence: 1 },
      pairingCode: null,
    });
    const qr = result.data!.createWhatsappSession.qr!;
    expect(qr.pngDataUrl).toMatch(/^data:image\/png;base64,/);
    // WAHA's first QR lives 60 s from when it was reported (no WAHA event anchors it here).
    expect(Date.parse(qr.expiresAt!)).toBeGreaterThanOrEqual(reportedFrom + 60_000);
    expect(Date.parse(qr.expiresAt!)).toBeLessThanOrEqual(reportedBy + 60_000);
  });

  it('answers with the pairing code for a PHONE_CODE session', async () => {
    const created = t.gql<{ createWhatsappSession: Session }>(
      CREATE,
      { input: { displayName: 'By phone', authMethod: 'PHONE_CODE', phoneNumber: '+49 151 2345678' } },
      { token },
    );
    const id = await sessionIdNamed(t, token, 'By phone');
    await report(t, 'reportPairingCode', { sessionId: id, code: 'ABCDEFGH' });
    const result = await created;
    expect(result.data!.createWhatsappSession).toMatchObject({
      id,
      status: 'SCAN_QR_CODE',
      qr: null,
      pairingCode: { code: 'ABCD-EFGH' },
    });
  });

  it('answers at once with the failure when n8n reports one instead of a QR', async () => {
    const created = t.gql<{ createWhatsappSession: Session & { lastError: { message: string } } }>(
      CREATE.replace('pairingCode {', 'lastError { message } pairingCode {'),
      { input: { displayName: 'Doomed' } },
      { token },
    );
    const id = await sessionIdNamed(t, token, 'Doomed');
    await report(t, 'reportSessionFailure', { sessionId: id, reason: 'WAHA refused', status: 'FAILED' });
    const result = await created;
    expect(result.data!.createWhatsappSession).toMatchObject({
      status: 'FAILED',
      qr: null,
      lastError: { message: 'WAHA refused' },
    });
  });

  it('refresh fetches a new QR for an expired one and answers with it when it arrives in time', async () => {
    const created = t.gql<{ createWhatsappSession: Session }>(
      CREATE,
      { input: { displayName: 'Stale' } },
      { token },
    );
    const id = await sessionIdNamed(t, token, 'Stale');
    const expired = new Date(Date.now() - 1000).toISOString();
    await report(t, 'reportQr', { sessionId: id, value: 'expired-qr', sequence: 2, expiresAt: expired });
    await created;

    const refreshed = t.gql<{ refreshWhatsappSessionQr: Session }>(REFRESH, { id }, { token });
    await eventually(async () =>
      expect((await commandsOf(t, id)).map((c) => c.type)).toContain('session.fetchQr'),
    );
    await report(t, 'reportQr', { sessionId: id, value: 'fresh-qr' });
    expect((await refreshed).data!.refreshWhatsappSessionQr.qr).toMatchObject({
      value: 'fresh-qr',
      sequence: 3,
    });
  });
});

describe('createWhatsappSession with the QR arriving too late (CREATE_QR_WAIT_MS=300)', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp({ CREATE_QR_WAIT_MS: '300' });
    token = await t.token('acme');
  });
  afterAll(() => t.close());

  it('answers with the session as it stands; the subscription then brings the QR', async () => {
    const result = await t.gql<{ createWhatsappSession: Session }>(
      CREATE,
      { input: { displayName: 'Slow' } },
      { token },
    );
    const session = result.data!.createWhatsappSession;
    expect(session).toMatchObject({ status: 'CREATING', qr: null, pairingCode: null });
    expect(await commandsOf(t, session.id)).toEqual([expect.objectContaining({ type: 'session.create' })]);

    const ws = graphqlWsClient(t, token);
    try {
      const stream = subscribeWs<{ whatsappSessionUpdated: SessionUpdate }>(ws, SESSION_UPDATED, {
        id: session.id,
      });
      await stream.collected.until((items) => items.length === 1);
      await report(t, 'reportQr', { sessionId: session.id, value: 'late-qr' });
      const items = await stream.collected.until((all) => all.length === 2);
      expect(items[1]!.whatsappSessionUpdated.session.qr).toMatchObject({ value: 'late-qr', sequence: 1 });
      stream.dispose();
    } finally {
      await ws.dispose();
    }
  });
});

describe('refreshWhatsappSessionQr and requestWhatsappPairingCode', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    // OUTBOX_DISPATCH is off in tests, so the wait defaults to 0: these answer with what is stored.
    t = await startTestApp();
    token = await t.token('acme');
  });
  afterAll(() => t.close());

  let n = 0;
  async function session(): Promise<string> {
    const result = await t.gql<{ createWhatsappSession: Session }>(
      CREATE,
      { input: { displayName: `S${++n}` } },
      { token },
    );
    return result.data!.createWhatsappSession.id;
  }
  const refresh = (id: string) => t.gql<{ refreshWhatsappSessionQr: Session }>(REFRESH, { id }, { token });
  const requestCode = (id: string, phone: string) =>
    t.gql<{ requestWhatsappPairingCode: Session }>(REQUEST_CODE, { id, phone }, { token });
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  it('returns the current QR while it is valid, and writes no command', async () => {
    const id = await session();
    await report(t, 'reportQr', { sessionId: id, value: 'valid-qr' });
    const result = await refresh(id);
    expect(result.data!.refreshWhatsappSessionQr.qr).toMatchObject({ value: 'valid-qr', sequence: 1 });
    expect((await commandsOf(t, id)).map((c) => c.type)).toEqual(['session.create']);
  });

  it('fetches a new QR when the current one expired while WAHA shows QRs (once, however often asked)', async () => {
    const id = await session();
    await report(t, 'reportQr', { sessionId: id, value: 'old-qr', sequence: 2, expiresAt: ago(1000) });
    await refresh(id);
    const result = await refresh(id);
    expect(result.data!.refreshWhatsappSessionQr).toMatchObject({
      status: 'SCAN_QR_CODE',
      qr: { value: 'old-qr' },
    });
    expect((await commandsOf(t, id)).map((c) => c.type)).toEqual(['session.create', 'session.fetchQr']);
  });

  it('restarts the session when WAHA failed it after the QR window', async () => {
    const id = await session();
    await report(t, 'reportQr', { sessionId: id, value: 'qr-1' });
    await report(t, 'reportSessionStatus', { sessionId: id, status: 'FAILED' });
    await refresh(id);
    expect((await commandsOf(t, id)).map((c) => c.type)).toEqual(['session.create', 'session.restart']);
  });

  it('restarts when the sixth and last QR has expired', async () => {
    const id = await session();
    await report(t, 'reportQr', { sessionId: id, value: 'qr-6', sequence: 6, expiresAt: ago(1) });
    await refresh(id);
    expect((await commandsOf(t, id)).map((c) => c.type)).toEqual(['session.create', 'session.restart']);
  });

  it('is FAILED_PRECONDITION on a WORKING session, and changes nothing', async () => {
    const id = await session();
    await report(t, 'reportSessionStatus', {
      sessionId: id,
      status: 'WORKING',
      me: { id: '4915100000000@c.us' },
    });
    for (const result of [await refresh(id), await requestCode(id, '+49 151 2345678')] as GraphqlResult[]) {
      expect(codesOf(result)).toEqual(['FAILED_PRECONDITION']);
      expect(result.errors![0]).toMatchObject({ extensions: { details: { status: 'WORKING' } } });
    }
    expect(result(await refresh(id))).toMatch(/^The session is already linked: there is no QR to scan$/);
    // Linking queued the fetch of WhatsApp's limits (session.limits); the refresh queued nothing.
    expect((await commandsOf(t, id)).map((c) => c.type)).toEqual(['session.create', 'session.limits']);
  });

  it('requests a pairing code for the number, switching the session to PHONE_CODE', async () => {
    const id = await session();
    await report(t, 'reportQr', { sessionId: id, value: 'qr-1' });
    const result = await requestCode(id, '+49 (151) 234-5678');
    expect(result.data!.requestWhatsappPairingCode).toMatchObject({
      authMethod: 'PHONE_CODE',
      phoneNumber: '491512345678',
    });
    expect((await commandsOf(t, id)).slice(1)).toEqual([
      { type: 'session.requestCode', payload: { phoneNumber: '491512345678' } },
    ]);
    await report(t, 'reportPairingCode', { sessionId: id, code: 'WXYZ-1234' });
    const again = await requestCode(id, '+491512345678');
    expect(again.data!.requestWhatsappPairingCode.pairingCode).toMatchObject({ code: 'WXYZ-1234' });
    expect(await commandsOf(t, id)).toHaveLength(2);
  });

  it('restarts a FAILED session before requesting the code', async () => {
    const id = await session();
    await report(t, 'reportSessionStatus', { sessionId: id, status: 'FAILED' });
    await requestCode(id, '+15550001111');
    expect((await commandsOf(t, id)).map((c) => c.type)).toEqual([
      'session.create',
      'session.restart',
      'session.requestCode',
    ]);
  });

  it('refuses a malformed phone number with BAD_USER_INPUT on the argument', async () => {
    const id = await session();
    const result = await requestCode(id, 'call me');
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'A phone number has only digits, spaces, dashes, dots, brackets and a leading +',
        extensions: { code: 'BAD_USER_INPUT', field: 'phoneNumber' },
      }),
    ]);
    expect(await commandsOf(t, id)).toHaveLength(1);
  });
});

function result(r: GraphqlResult): string | undefined {
  return r.errors?.[0]?.message;
}
