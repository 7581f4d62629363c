import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql, startTestApp, type TestApp } from '../support/app.js';
import { internalGql } from '../support/internal-api.js';
import { CREATE_SESSION } from '../support/linked-session.js';
import { idArgumentsOf } from '../support/schema-id-arguments.js';
import { badInput, tablesSnapshot } from '../support/bad-input.js';
import {
  CHAT,
  COMMAND_ID,
  ERROR_FIELD,
  GROUP,
  ID_PATHS,
  type Ids,
  input,
  ME,
  OPERATIONS,
  SPOILED_IDS,
  wahaMessage,
  withValue,
} from './support/internal-operations.js';

/**
 * What n8n hands the internal API, as a caller that holds the key: an id that cannot name a
 * row (a NUL, another control character, a broken surrogate, over 200 characters) is
 * BAD_USER_INPUT on its field, never INTERNAL_SERVER_ERROR (which n8n retries), and changes
 * nothing; WAHA's text (names, reasons) is kept as PostgreSQL can hold it; a QR value, account
 * id or expiry that cannot be stored or shown is refused on its field.
 */

const ID_CASES = Object.entries(ID_PATHS).flatMap(([operation, paths]) =>
  paths.flatMap((path) =>
    SPOILED_IDS.map(([how, spoil]) => [`${operation}(${path})`, how, operation, path, spoil] as const),
  ),
);

const REPORT_STATUS = input(
  'reportSessionStatus',
  'ReportSessionStatusInput',
  '{ status me { id pushName } }',
);
const REPORT_LINKED = input('reportLinkedAccount', 'ReportLinkedAccountInput', '{ me { id pushName } }');
const REPORT_QR = input('reportQr', 'ReportQrInput', '{ qrValue qrSequence }');
const REPORT_CODE = input('reportPairingCode', 'ReportPairingCodeInput', '{ pairingCode }');
const REPORT_FAILURE = input('reportSessionFailure', 'ReportSessionFailureInput', '{ status lastError }');

describe('internal API: ids and text n8n hands over', () => {
  let t: TestApp;
  let token: string;
  let ids: Ids;

  async function newSession(displayName: string): Promise<string> {
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      CREATE_SESSION,
      { input: { displayName } },
      { token },
    );
    return created.data!.createWhatsappSession.id;
  }

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('internal-bad-input-co');
    const waiting = await newSession('Waiting line');
    const linked = await newSession('Linked line');
    const status = await internalGql(t, REPORT_STATUS, {
      input: { sessionId: linked, status: 'WORKING', me: { id: ME } },
    });
    expect(status.errors).toBeUndefined();
    const sent = await t.gql<{ sendWhatsappMessage: { localId: string } }>(
      `mutation($sessionId: ID!) { sendWhatsappMessage(sessionId: $sessionId, to: "${CHAT}", text: "hello") { localId } }`,
      { sessionId: linked },
      { token },
    );
    expect(sent.errors).toBeUndefined();
    ids = { waiting, linked, messageId: sent.data!.sendWhatsappMessage.localId };
    // A message to react to and a group to list, so that those reports could change something.
    const synced = await internalGql(
      t,
      `mutation($input: UpsertMessagesInput!) { upsertMessages(input: $input) { created } }`,
      { input: { sessionId: linked, messages: [wahaMessage('3EB0REACTED')] } },
    );
    expect(synced.data).toEqual({ upsertMessages: { created: 1 } });
    const group = await internalGql(
      t,
      `mutation($input: UpsertChatsInput!) { upsertChats(input: $input) { created } }`,
      { input: { sessionId: linked, chats: [{ id: GROUP, name: 'Group' }] } },
    );
    expect(group.data).toEqual({ upsertChats: { created: 1 } });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The tables a report could change, reactions included. */
  const state = async () =>
    `${await tablesSnapshot(t)}${JSON.stringify(await sql(t, `select * from message_reactions order by 1, 2, 3`))}`;

  it('covers every id argument and id input field of the internal schema', () => {
    const covered = Object.entries(ID_PATHS).flatMap(([operation, paths]) =>
      paths.map((path) => `${operation}(${path})`),
    );
    expect(covered.sort()).toEqual(idArgumentsOf('internal.graphql'));
    expect(Object.keys(OPERATIONS).sort()).toEqual(Object.keys(ID_PATHS).sort());
  });

  it.each(ID_CASES)(
    '%s with %s: BAD_USER_INPUT on the field, nothing changes',
    async (_n, _how, operation, path, spoil) => {
      const { query, variables } = OPERATIONS[operation]!;
      const before = await state();
      const result = await internalGql(t, query, withValue(variables(ids), path, spoil));
      expect(result.errors).toEqual(badInput(ERROR_FIELD[path] ?? path));
      expect(result.data ?? null).toBeNull();
      expect(await state()).toBe(before);
    },
  );

  /** Values refused: they cannot be stored or shown as given, and n8n's workflow is what is wrong. */
  const REFUSED: [string, string, (sessionId: string) => Record<string, unknown>, string][] = [
    [
      'reportSessionStatus, a NUL in the account id',
      REPORT_STATUS,
      (sessionId) => ({ input: { sessionId, status: 'WORKING', me: { id: `${ME}\u0000` } } }),
      'input.me.id',
    ],
    [
      'reportSessionStatus, a lone surrogate in the account id',
      REPORT_STATUS,
      (sessionId) => ({ input: { sessionId, status: 'WORKING', me: { id: `${ME}\uD800` } } }),
      'input.me.id',
    ],
    [
      'reportSessionStatus, an account id past its column (101 characters)',
      REPORT_STATUS,
      (sessionId) => ({
        input: { sessionId, status: 'WORKING', me: { id: ME.padStart(101, '4') } },
      }),
      'input.me.id',
    ],
    [
      'reportSessionStatus, an empty account id',
      REPORT_STATUS,
      (sessionId) => ({ input: { sessionId, status: 'WORKING', me: { id: '' } } }),
      'input.me.id',
    ],
    [
      'reportLinkedAccount, a NUL in the account id',
      REPORT_LINKED,
      (sessionId) => ({ input: { sessionId, me: { id: `${ME}\u0000` } } }),
      'input.me.id',
    ],
    [
      'reportLinkedAccount, an account id of 10,000 characters',
      REPORT_LINKED,
      (sessionId) => ({ input: { sessionId, me: { id: 'x'.repeat(10_000) } } }),
      'input.me.id',
    ],
    [
      'reportQr, a NUL in the value',
      REPORT_QR,
      (sessionId) => ({ input: { sessionId, value: '2@abc\u0000,def' } }),
      'input.value',
    ],
    [
      'reportQr, a lone surrogate in the value',
      REPORT_QR,
      (sessionId) => ({ input: { sessionId, value: '2@abc\uDC00,def' } }),
      'input.value',
    ],
    [
      'reportQr, a value no QR code can hold (3,000 characters)',
      REPORT_QR,
      (sessionId) => ({ input: { sessionId, value: 'x'.repeat(3_000) } }),
      'input.value',
    ],
    [
      'reportQr, a value past 1,000 bytes',
      REPORT_QR,
      (sessionId) => ({ input: { sessionId, value: 'é'.repeat(501) } }),
      'input.value',
    ],
    [
      'reportQr, an expiry in year 0',
      REPORT_QR,
      (sessionId) => ({
        input: { sessionId, value: 'qr-year-0', expiresAt: '0000-01-01T00:00:00Z' },
      }),
      'input.expiresAt',
    ],
    [
      'reportPairingCode, a NUL in the code',
      REPORT_CODE,
      (sessionId) => ({ input: { sessionId, code: 'ABCD-EFG\u0000' } }),
      'input.code',
    ],
    [
      'reportPairingCode, an expiry in year 0',
      REPORT_CODE,
      (sessionId) => ({
        input: { sessionId, code: 'WXYZ-1234', expiresAt: '0000-06-01T00:00:00Z' },
      }),
      'input.expiresAt',
    ],
  ];

  it.each(REFUSED)(
    '%s: BAD_USER_INPUT on its field, nothing changes',
    async (name, query, variables, field) => {
      // A session of its own, waiting for its QR: whatever an earlier case did, this report could change it.
      const sessionId = await newSession(`Refused ${name}`.slice(0, 100));
      const before = await state();
      const result = await internalGql(t, query, variables(sessionId));
      expect(result.errors).toEqual(badInput(field));
      expect(await state()).toBe(before);
    },
  );

  it('shows a QR value of 1,000 bytes, the most it takes, as a PNG to the tenant', async () => {
    const session = await newSession('Long QR line');
    // Two bytes a character in UTF-8, so the QR holds it as 1,000 bytes (no denser mode applies).
    const value = `2@${'é'.repeat(499)}`;
    const reported = await internalGql(t, REPORT_QR, { input: { sessionId: session, value } });
    expect(reported.errors).toBeUndefined();
    const read = await t.gql<{ whatsappSession: { qr: { value: string; pngDataUrl: string } } }>(
      `query($id: ID!) { whatsappSession(id: $id) { qr { value pngDataUrl } } }`,
      { id: session },
      { token },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.whatsappSession.qr.value).toBe(value);
    expect(read.data!.whatsappSession.qr.pngDataUrl).toMatch(/^data:image\/png;base64,/);
  });

  it("keeps WAHA's account name as PostgreSQL can hold it: NUL and broken surrogates marked, cut to its column", async () => {
    const session = await newSession('Push name line');
    const status = await internalGql<{ reportSessionStatus: unknown }>(t, REPORT_STATUS, {
      input: { sessionId: session, status: 'WORKING', me: { id: ME, pushName: 'Sh\u0000op \uD800' } },
    });
    expect(status.errors).toBeUndefined();
    expect(status.data!.reportSessionStatus).toEqual({
      status: 'WORKING',
      me: { id: ME, pushName: 'Sh\uFFFDop \uFFFD' },
    });
    const linked = await internalGql<{ reportLinkedAccount: unknown }>(t, REPORT_LINKED, {
      input: { sessionId: session, me: { id: ME, pushName: `${'n'.repeat(199)}😀 and more` } },
    });
    expect(linked.errors).toBeUndefined();
    // Cut to the column's 200 without splitting the emoji's surrogate pair.
    expect(linked.data!.reportLinkedAccount).toEqual({ me: { id: ME, pushName: 'n'.repeat(199) } });
    const [row] = await sql<{ me_push_name: string }>(
      t,
      `select me_push_name from whatsapp_sessions where id = ?`,
      [session],
    );
    expect(row!.me_push_name).toBe('n'.repeat(199));
  });

  it("keeps a failure's reason and WAHA's message as PostgreSQL can hold them", async () => {
    const session = await newSession('Failure line');
    const failed = await internalGql<{ reportSessionFailure: { lastError: string } }>(t, REPORT_FAILURE, {
      input: {
        sessionId: session,
        reason: 'Create\u0000failed',
        wahaStatusCode: 500,
        wahaMessage: 'odd \uDC00',
      },
    });
    expect(failed.errors).toBeUndefined();
    expect(failed.data!.reportSessionFailure.lastError).toBe('Create\uFFFDfailed (WAHA 500: odd \uFFFD)');
    const [row] = await sql<{ last_error: string }>(
      t,
      `select last_error from whatsapp_sessions where id = ?`,
      [session],
    );
    expect(row!.last_error).toBe('Create\uFFFDfailed (WAHA 500: odd \uFFFD)');
  });

  it('still takes the reports with the ids it issued', async () => {
    const session = await newSession('Clean line');
    const qr = await internalGql(t, REPORT_QR, {
      input: { sessionId: session, value: 'qr-clean', commandId: COMMAND_ID },
    });
    expect(qr.data).toEqual({ reportQr: { qrValue: 'qr-clean', qrSequence: 1 } });
    const unknown = await internalGql(t, OPERATIONS['Query.workflowSession']!.query, {
      sessionId: 'ws_01j0000000000000000000000x',
    });
    expect(unknown.errors).toEqual([expect.objectContaining({ extensions: { code: 'NOT_FOUND' } })]);
  });
});
