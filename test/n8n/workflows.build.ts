/**
 * The source of `n8n/workflows/*.json` and `n8n/credentials.json`: one n8n workflow per command
 * of n8n/CONTRACT.md, plus the error workflow. The JSON files are generated from here and checked
 * in (n8n imports them as they are); `test/n8n/workflows.spec.ts` fails when they drift.
 *
 *     node test/n8n/workflows.build.ts        # rewrites n8n/workflows/*.json and n8n/credentials.json
 *
 * Self-contained on purpose (no relative imports, no TypeScript-only syntax), so Node 24 runs it as
 * it is and jest imports it as a module.
 *
 * How every workflow is shaped:
 * - a Webhook node (header auth `X-Whatsapp-Hub-Secret`) answered at once by a Respond node (202),
 *   then a `Command` Code node that validates the envelope (the session id goes into WAHA URLs);
 * - every WAHA call is an HTTP Request with an explicit timeout, the full response and "never
 *   error", and "continue on fail", so a 4xx/5xx, a timeout or a refused connection all come out
 *   as an item; a Code node after it classifies that item and a Switch routes it, so every WAHA
 *   failure ends in `reportSessionFailure` (or `reportMessageFailed`) with WAHA's status and message;
 * - every write-back (GraphQL node) has an error output; a write-back that fails throws an error
 *   tagged `[whatsapp-hub session=… command=… message=…]`, which the error workflow reads to
 *   report the failure against the right session or message.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

// ---------------------------------------------------------------------------------------------
// Names shared with the tests, the README and docker-compose

export const WEBHOOK_PATH_PREFIX = 'whatsapp-hub';
export const ERROR_WORKFLOW_ID = 'whHubErrors';
/** Every WAHA call gives up after this long (got, n8n's HTTP client, has a default of its own). */
export const WAHA_TIMEOUT_MS = 15_000;
/** session.create: how long it waits for SCAN_QR_CODE (or WORKING) after creating the session. */
export const CREATE_START_DEADLINE_MS = 60_000;
/** session.create: how long after the command it keeps watching for the link (WAHA's QR window is ~160 s). */
export const CREATE_LINK_DEADLINE_MS = 240_000;

export const CREDENTIALS = {
  webhookSecret: {
    id: 'whHubWebhookSecret',
    name: 'whatsapp-hub webhook secret',
    type: 'httpHeaderAuth',
    data: { name: 'X-Whatsapp-Hub-Secret', value: '={{ $env.N8N_WEBHOOK_SECRET }}' },
  },
  wahaApiKey: {
    id: 'whHubWahaApiKey',
    name: 'WAHA API key',
    type: 'httpHeaderAuth',
    data: { name: 'X-Api-Key', value: '={{ $env.WAHA_API_KEY }}' },
  },
  internalKey: {
    id: 'whHubInternalKey',
    name: 'whatsapp-hub internal API key',
    type: 'httpHeaderAuth',
    data: { name: 'X-Internal-Key', value: '={{ $env.WHATSAPP_HUB_INTERNAL_KEY }}' },
  },
} as const;

type CredentialRef = { id: string; name: string };
const credentialRef = (credential: { id: string; name: string }): CredentialRef => ({
  id: credential.id,
  name: credential.name,
});

// ---------------------------------------------------------------------------------------------
// A small workflow builder

export interface N8nNode {
  id: string;
  name: string;
  type: string;
  typeVersion: number;
  position: [number, number];
  parameters: Record<string, unknown>;
  credentials?: Record<string, CredentialRef>;
  webhookId?: string;
  onError?: 'continueRegularOutput' | 'continueErrorOutput' | 'stopWorkflow';
  retryOnFail?: boolean;
  maxTries?: number;
  waitBetweenTries?: number;
  notes?: string;
  notesInFlow?: boolean;
}

export interface N8nWorkflow {
  id: string;
  name: string;
  active: boolean;
  nodes: N8nNode[];
  connections: Record<string, { main: { node: string; type: 'main'; index: number }[][] }>;
  settings: Record<string, unknown>;
  pinData: Record<string, never>;
  meta: Record<string, unknown>;
  tags: never[];
}

/** Stable UUID-shaped ids, so regenerating changes nothing. */
function stableUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

class Workflow {
  readonly nodes: N8nNode[] = [];
  readonly connections: N8nWorkflow['connections'] = {};

  readonly id: string;
  readonly name: string;

  constructor(id: string, name: string) {
    this.id = id;
    this.name = name;
  }

  add(node: Omit<N8nNode, 'id' | 'position'>, at: [number, number]): string {
    if (this.nodes.some((existing) => existing.name === node.name)) {
      throw new Error(`${this.id}: two nodes named ${node.name}`);
    }
    this.nodes.push({
      id: stableUuid(this.id, node.name),
      ...node,
      position: [at[0] * 240, at[1] * 180],
    });
    return node.name;
  }

  connect(from: string, to: string, output = 0): void {
    const outputs = (this.connections[from] ??= { main: [] }).main;
    while (outputs.length <= output) outputs.push([]);
    outputs[output]!.push({ node: to, type: 'main', index: 0 });
  }

  build(): N8nWorkflow {
    return {
      id: this.id,
      name: this.name,
      active: false,
      nodes: this.nodes,
      connections: this.connections,
      settings: {
        executionOrder: 'v1',
        ...(this.id === ERROR_WORKFLOW_ID ? {} : { errorWorkflow: ERROR_WORKFLOW_ID }),
        callerPolicy: 'workflowsFromSameOwner',
      },
      pinData: {},
      meta: { templateCredsSetupCompleted: true, generatedBy: 'test/n8n/workflows.build.ts' },
      tags: [],
    };
  }
}

/** n8n splits expressions on `{{` and `}}`: a `}}` inside one would end it early. */
function expr(code: string): string {
  if (code.includes('}}') || code.includes('{{')) throw new Error(`expression contains {{ or }}: ${code}`);
  return `={{ ${code} }}`;
}

const CMD = "$('Command').first().json";

// ---------------------------------------------------------------------------------------------
// JavaScript run by the Code nodes (n8n's task runner). Plain strings: no build-time interpolation.

/** Classifies an HTTP Request item (full response, never error, continue on fail). */
const WAHA_RESULT_JS = `
const WAHA_STATUSES = ['STOPPED', 'STARTING', 'SCAN_QR_CODE', 'WORKING', 'FAILED'];
function wahaResult(res, step) {
  const answered = typeof res.statusCode === 'number';
  const statusCode = answered ? res.statusCode : null;
  const body = answered ? res.body : null;
  const b = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
  const ok = answered && statusCode >= 200 && statusCode < 300;
  function failure(why) {
    if (!answered) {
      const e = res.error !== null && typeof res.error === 'object' ? res.error : { message: res.error };
      const d = res.details !== null && typeof res.details === 'object' ? res.details : {};
      const detail = [e.message, e.code, e.cause && e.cause.code, d.message, d.description]
        .filter((part) => typeof part === 'string' && part !== '')
        .filter((part, index, all) => all.indexOf(part) === index)
        .join('; ');
      return {
        reason: (why || 'WAHA did not answer ' + step) + ': ' + (detail || 'no response').slice(0, 500),
        wahaStatusCode: null,
        wahaMessage: null,
        status: null,
      };
    }
    const message = Array.isArray(b.message)
      ? b.message.join('; ')
      : typeof b.message === 'string'
        ? b.message
        : typeof b.error === 'string'
          ? b.error
          : typeof body === 'string' && body !== ''
            ? body.slice(0, 500)
            : 'HTTP ' + statusCode;
    const status = WAHA_STATUSES.includes(b.status) ? b.status : null;
    const expected = Array.isArray(b.expected)
      ? ' (session is ' + b.status + ', expected ' + b.expected.join(' or ') + ')'
      : '';
    return {
      reason: (why || 'WAHA refused ' + step) + expected,
      wahaStatusCode: statusCode,
      wahaMessage: message,
      status: status,
    };
  }
  return { answered, ok, statusCode, body, b, failure };
}
`;

/** A Code node that classifies one WAHA answer: route 0 when `okWhen` holds, else 1 with `failure`. */
function checkJs(step: string, okWhen = 'r.ok'): string {
  return `${WAHA_RESULT_JS}
const r = wahaResult($input.first().json, ${JSON.stringify(step)});
const ok = ${okWhen};
return [{ json: { route: ok ? 0 : 1, statusCode: r.statusCode, body: r.body, failure: ok ? null : r.failure() } }];
`;
}

/**
 * Throws the tagged error the error workflow reads, for a write-back whatsapp-hub refused or did
 * not take. `messageId` is a JS expression: the message the failure is about, or null.
 */
function writeBackFailedJs(
  messageId = 'null',
  prefix = "'whatsapp-hub did not take a write-back: '",
): string {
  return `
const cmd = $('Command').first().json;
const item = $input.first().json;
const what = typeof item.error === 'string' ? item.error : JSON.stringify(item.error ?? item).slice(0, 800);
const messageId = ${messageId};
const tag = '[whatsapp-hub session=' + (cmd.sessionId || '-') + ' command=' + (cmd.commandId || '-') +
  ' message=' + (messageId || '-') + ']';
throw new Error(tag + ' ' + ${prefix} + what);
`;
}

function commandJs(type: string, validatePayload: string): string {
  return `
const EXPECTED_TYPE = ${JSON.stringify(type)};
const body = $input.first().json.body;
const envelope = body !== null && typeof body === 'object' ? body : {};
const payload = envelope.payload !== null && typeof envelope.payload === 'object' ? envelope.payload : {};
function reject(why) {
  // Tagged, so the error workflow can report it against the session (or message) it names.
  const tag = '[whatsapp-hub session=' + (typeof envelope.sessionId === 'string' ? envelope.sessionId : '-') +
    ' command=' + (typeof envelope.commandId === 'string' ? envelope.commandId : '-') +
    ' message=' + (typeof payload.messageId === 'string' ? payload.messageId : '-') + ']';
  throw new Error(tag + ' Invalid ' + EXPECTED_TYPE + ' command: ' + why);
}
if (envelope.type !== EXPECTED_TYPE) reject('type is ' + JSON.stringify(envelope.type));
if (typeof envelope.commandId !== 'string' || envelope.commandId === '') reject('commandId is missing');
// The session id becomes part of WAHA URLs: only WAHA session names pass.
if (typeof envelope.sessionId !== 'string' || !/^[a-zA-Z0-9_-]{1,54}$/.test(envelope.sessionId)) {
  reject('sessionId is not a WAHA session name');
}
${validatePayload}
return [{
  json: {
    commandId: envelope.commandId,
    type: envelope.type,
    tenantId: envelope.tenantId ?? null,
    sessionId: envelope.sessionId,
    attempt: envelope.attempt ?? null,
    payload,
    receivedAt: Date.now(),
  },
}];
`;
}

// ---------------------------------------------------------------------------------------------
// Node factories

function intake(
  wf: Workflow,
  type: string,
  path: string,
  validatePayload = '',
): { command: string; webhook: string } {
  const webhook = wf.add(
    {
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2.1,
      webhookId: stableUuid(wf.id, 'webhook'),
      parameters: {
        httpMethod: 'POST',
        path: `${WEBHOOK_PATH_PREFIX}/${path}`,
        authentication: 'headerAuth',
        responseMode: 'responseNode',
        options: {},
      },
      credentials: { httpHeaderAuth: credentialRef(CREDENTIALS.webhookSecret) },
      notes: `POST /webhook/${WEBHOOK_PATH_PREFIX}/${path} with a ${type} CommandEnvelope (n8n/CONTRACT.md)`,
    },
    [0, 0],
  );
  const accept = wf.add(
    {
      name: 'Accept command',
      type: 'n8n-nodes-base.respondToWebhook',
      typeVersion: 1.5,
      parameters: {
        respondWith: 'json',
        responseBody: expr('{ accepted: true, commandId: $json.body.commandId ?? null }'),
        options: { responseCode: 202 },
      },
      notes:
        'Answers at once: the outbox only needs to know the command arrived; results go back through the internal API.',
    },
    [1, 0],
  );
  wf.connect(webhook, accept);
  const command = wf.add(
    {
      name: 'Command',
      type: 'n8n-nodes-base.code',
      typeVersion: 2,
      parameters: {
        mode: 'runOnceForAllItems',
        language: 'javaScript',
        jsCode: commandJs(type, validatePayload).trim() + '\n',
      },
    },
    [2, 0],
  );
  wf.connect(accept, command);
  return { command, webhook };
}

interface WahaCall {
  method: 'GET' | 'POST' | 'DELETE';
  /** An n8n expression body (without `={{ }}`) evaluating to the path after WAHA_URL, e.g. `'/api/sessions'`. */
  path: string;
  query?: Record<string, string>;
  /** Expression (without `={{ }}`) evaluating to the JSON body object. */
  body?: string;
}

function waha(wf: Workflow, name: string, call: WahaCall, at: [number, number]): string {
  const parameters: Record<string, unknown> = {
    method: call.method,
    url: expr(`$env.WAHA_URL + ${call.path}`),
    authentication: 'genericCredentialType',
    genericAuthType: 'httpHeaderAuth',
  };
  if (call.query) {
    parameters['sendQuery'] = true;
    parameters['queryParameters'] = {
      parameters: Object.entries(call.query).map(([key, value]) => ({ name: key, value: expr(value) })),
    };
  }
  if (call.body) {
    parameters['sendBody'] = true;
    parameters['specifyBody'] = 'json';
    parameters['jsonBody'] = expr(`JSON.stringify(${call.body})`);
  }
  parameters['options'] = {
    timeout: WAHA_TIMEOUT_MS,
    response: { response: { fullResponse: true, neverError: true } },
  };
  return wf.add(
    {
      name,
      type: 'n8n-nodes-base.httpRequest',
      typeVersion: 4.5,
      parameters,
      credentials: { httpHeaderAuth: credentialRef(CREDENTIALS.wahaApiKey) },
      // A timeout or a refused connection comes out as an item too, classified by the next node.
      onError: 'continueRegularOutput',
    },
    at,
  );
}

function code(wf: Workflow, name: string, jsCode: string, at: [number, number]): string {
  return wf.add(
    {
      name,
      type: 'n8n-nodes-base.code',
      typeVersion: 2,
      parameters: { mode: 'runOnceForAllItems', language: 'javaScript', jsCode: jsCode.trim() + '\n' },
    },
    at,
  );
}

/** Routes each item to output `$json.route`. */
function router(wf: Workflow, name: string, outputs: number, at: [number, number]): string {
  return wf.add(
    {
      name,
      type: 'n8n-nodes-base.switch',
      typeVersion: 3.4,
      parameters: { mode: 'expression', numberOutputs: outputs, output: expr('$json.route') },
    },
    at,
  );
}

function wait(wf: Workflow, name: string, seconds: number, at: [number, number]): string {
  return wf.add(
    {
      name,
      type: 'n8n-nodes-base.wait',
      typeVersion: 1.1,
      webhookId: stableUuid(wf.id, name, 'wait'),
      parameters: { amount: seconds, unit: 'seconds' },
    },
    at,
  );
}

/** A write-back to whatsapp-hub's internal GraphQL API; its error output goes to `failed`. */
function writeBack(
  wf: Workflow,
  name: string,
  query: string,
  variables: string,
  at: [number, number],
  failed: string | null,
): string {
  const node = wf.add(
    {
      name,
      type: 'n8n-nodes-base.graphql',
      typeVersion: 1.1,
      parameters: {
        authentication: 'headerAuth',
        endpoint: expr('$env.WHATSAPP_HUB_INTERNAL_URL'),
        requestMethod: 'POST',
        requestFormat: 'json',
        query,
        variables: expr(variables),
        responseFormat: 'json',
      },
      credentials: { httpHeaderAuth: credentialRef(CREDENTIALS.internalKey) },
      onError: 'continueErrorOutput',
    },
    at,
  );
  if (failed) wf.connect(node, failed, 1);
  return node;
}

function writeBackFailed(wf: Workflow, at: [number, number], js = writeBackFailedJs()): string {
  return code(wf, 'Write-back failed', js, at);
}

const M = {
  sessionFailure:
    'mutation ReportSessionFailure($input: ReportSessionFailureInput!) {\n  reportSessionFailure(input: $input) {\n    __typename\n  }\n}',
  sessionStatus:
    'mutation ReportSessionStatus($input: ReportSessionStatusInput!) {\n  reportSessionStatus(input: $input) {\n    __typename\n  }\n}',
  qr: 'mutation ReportQr($input: ReportQrInput!) {\n  reportQr(input: $input) {\n    __typename\n  }\n}',
  pairingCode:
    'mutation ReportPairingCode($input: ReportPairingCodeInput!) {\n  reportPairingCode(input: $input) {\n    __typename\n  }\n}',
  sessionDeleted:
    'mutation ReportSessionDeleted($input: ReportSessionDeletedInput!) {\n  reportSessionDeleted(input: $input)\n}',
  messageSent:
    'mutation ReportMessageSent($input: ReportMessageSentInput!) {\n  reportMessageSent(input: $input) {\n    __typename\n  }\n}',
  messageFailed:
    'mutation ReportMessageFailed($input: ReportMessageFailedInput!) {\n  reportMessageFailed(input: $input) {\n    __typename\n  }\n}',
  upsertChats:
    'mutation UpsertChats($input: UpsertChatsInput!) {\n  upsertChats(input: $input) {\n    __typename\n  }\n}',
  upsertMessages:
    'mutation UpsertMessages($input: UpsertMessagesInput!) {\n  upsertMessages(input: $input) {\n    __typename\n  }\n}',
};

const SESSION_IDS = `sessionId: ${CMD}.sessionId, commandId: ${CMD}.commandId`;

/** The shared "Report session failure" node: its input item carries `failure` from a check node. */
function sessionFailureNode(wf: Workflow, at: [number, number], failed: string): string {
  return writeBack(
    wf,
    'Report session failure',
    M.sessionFailure,
    `{ input: { ${SESSION_IDS}, reason: $json.failure.reason, wahaStatusCode: $json.failure.wahaStatusCode, ` +
      'wahaMessage: $json.failure.wahaMessage, status: $json.failure.status } }',
    at,
    failed,
  );
}

const SESSION = `encodeURIComponent(${CMD}.sessionId)`;

// ---------------------------------------------------------------------------------------------
// The workflows

function sessionCreate(): N8nWorkflow {
  const wf = new Workflow('whHubSessionCreate', 'whatsapp-hub: session.create');
  const { command } = intake(
    wf,
    'session.create',
    'session-create',
    `if (payload.authMethod !== 'QR' && payload.authMethod !== 'PHONE_CODE') reject('payload.authMethod must be QR or PHONE_CODE');
if (payload.authMethod === 'PHONE_CODE' && (typeof payload.phoneNumber !== 'string' || !/^\\d{6,20}$/.test(payload.phoneNumber))) {
  reject('payload.phoneNumber must be digits for PHONE_CODE');
}
if (payload.wahaRequest === null || typeof payload.wahaRequest !== 'object' || payload.wahaRequest.name !== envelope.sessionId) {
  reject('payload.wahaRequest must be the POST /api/sessions body for this session');
}`,
  );
  const failed = writeBackFailed(wf, [9, 5]);
  const reportFailure = sessionFailureNode(wf, [8, 5], failed);
  const reportStatus = writeBack(
    wf,
    'Report session status',
    M.sessionStatus,
    `{ input: { ${SESSION_IDS}, status: $json.status, me: $json.me } }`,
    [8, 4],
    failed,
  );

  // Create; WAHA's 422 "already exists" means a redelivered command: carry on.
  const create = waha(
    wf,
    'Create session in WAHA',
    { method: 'POST', path: "'/api/sessions'", body: `${CMD}.payload.wahaRequest` },
    [3, 0],
  );
  wf.connect(command, create);
  const checkCreate = code(
    wf,
    'Check create',
    checkJs(
      'POST /api/sessions',
      "r.ok || (r.statusCode === 422 && /already exists/i.test(String(r.b.message || r.b.error || '')))",
    ),
    [4, 0],
  );
  wf.connect(create, checkCreate);
  const created = router(wf, 'Created?', 2, [5, 0]);
  wf.connect(checkCreate, created);
  wf.connect(created, reportFailure, 1);

  // Phase 1: until SCAN_QR_CODE (or WORKING / FAILED), bounded.
  const waitStart = wait(wf, 'Wait for the session to start', 1, [6, 0]);
  wf.connect(created, waitStart, 0);
  const getStatus = waha(
    wf,
    'Get session status',
    { method: 'GET', path: `'/api/sessions/' + ${SESSION}` },
    [7, 0],
  );
  wf.connect(waitStart, getStatus);
  const checkStatus = code(
    wf,
    'Check session status',
    `${WAHA_RESULT_JS}
const cmd = $('Command').first().json;
const r = wahaResult($input.first().json, 'GET /api/sessions/{session}');
const me = r.b.me && typeof r.b.me.id === 'string' ? { id: r.b.me.id, pushName: r.b.me.pushName ?? null } : null;
const status = r.b.status;
// 0 wait, 1 fetch the QR, 2 request the pairing code, 3 WORKING, 4 FAILED, 5 report a failure
let route = 0;
let failure = null;
if (!r.ok) {
  route = 5;
  failure = r.failure();
} else if (status === 'SCAN_QR_CODE') {
  route = cmd.payload.authMethod === 'PHONE_CODE' ? 2 : 1;
} else if (status === 'WORKING') {
  route = 3;
} else if (status === 'FAILED') {
  route = 4;
} else if (Date.now() - cmd.receivedAt > ${CREATE_START_DEADLINE_MS}) {
  route = 5;
  failure = {
    reason: 'WAHA session did not reach SCAN_QR_CODE within ${CREATE_START_DEADLINE_MS / 1000} s (status ' + status + ')',
    wahaStatusCode: null,
    wahaMessage: null,
    status: WAHA_STATUSES.includes(status) ? status : null,
  };
}
return [{ json: { route, status, me, failure } }];
`,
    [8, 0],
  );
  wf.connect(getStatus, checkStatus);
  const routeStatus = router(wf, 'Route session status', 6, [9, 0]);
  wf.connect(checkStatus, routeStatus);
  wf.connect(routeStatus, waitStart, 0);
  wf.connect(routeStatus, reportStatus, 3);
  wf.connect(routeStatus, reportStatus, 4);
  wf.connect(routeStatus, reportFailure, 5);

  // QR: fetch the first one and report it as the first of the series.
  const fetchQr = waha(
    wf,
    'Fetch QR',
    { method: 'GET', path: `'/api/' + ${SESSION} + '/auth/qr'`, query: { format: "'raw'" } },
    [10, 1],
  );
  wf.connect(routeStatus, fetchQr, 1);
  const checkQr = code(
    wf,
    'Check QR',
    checkJs('GET /api/{session}/auth/qr', "r.ok && typeof r.b.value === 'string' && r.b.value !== ''"),
    [11, 1],
  );
  wf.connect(fetchQr, checkQr);
  const qrOk = router(wf, 'QR fetched?', 2, [12, 1]);
  wf.connect(checkQr, qrOk);
  wf.connect(qrOk, reportFailure, 1);
  const reportQr = writeBack(
    wf,
    'Report QR',
    M.qr,
    `{ input: { ${SESSION_IDS}, value: $json.body.value, sequence: 1 } }`,
    [13, 1],
    failed,
  );
  wf.connect(qrOk, reportQr, 0);
  const afterQr = code(
    wf,
    'QR recorded',
    `// A GraphQL error also comes out here (and on the error output, which fails the run): stop this branch.
if ($input.first().json.errors) return [];
return [{ json: { lastQr: $('Check QR').last().json.body.value } }];
`,
    [14, 1],
  );
  wf.connect(reportQr, afterQr, 0);

  // Pairing code: only legal in SCAN_QR_CODE.
  const requestCode = waha(
    wf,
    'Request pairing code',
    {
      method: 'POST',
      path: `'/api/' + ${SESSION} + '/auth/request-code'`,
      body: `{ phoneNumber: ${CMD}.payload.phoneNumber }`,
    },
    [10, 2],
  );
  wf.connect(routeStatus, requestCode, 2);
  const checkCode = code(
    wf,
    'Check pairing code',
    checkJs(
      'POST /api/{session}/auth/request-code',
      "r.ok && typeof r.b.code === 'string' && r.b.code !== ''",
    ),
    [11, 2],
  );
  wf.connect(requestCode, checkCode);
  const codeOk = router(wf, 'Code received?', 2, [12, 2]);
  wf.connect(checkCode, codeOk);
  wf.connect(codeOk, reportFailure, 1);
  const reportCode = writeBack(
    wf,
    'Report pairing code',
    M.pairingCode,
    `{ input: { ${SESSION_IDS}, code: $json.body.code } }`,
    [13, 2],
    failed,
  );
  wf.connect(codeOk, reportCode, 0);
  const afterCode = code(
    wf,
    'Pairing code recorded',
    `if ($input.first().json.errors) return [];
return [{ json: { lastQr: null } }];
`,
    [14, 2],
  );
  wf.connect(reportCode, afterCode, 0);

  // Phase 2: until WORKING or FAILED, bounded by the QR window; a rotated QR is reported too.
  const waitLink = wait(wf, 'Wait for the link', 2, [15, 2]);
  wf.connect(afterQr, waitLink);
  wf.connect(afterCode, waitLink);
  const getLinking = waha(
    wf,
    'Get session while linking',
    { method: 'GET', path: `'/api/sessions/' + ${SESSION}` },
    [16, 2],
  );
  wf.connect(waitLink, getLinking);
  const checkLinking = code(
    wf,
    'Check linking',
    `${WAHA_RESULT_JS}
const cmd = $('Command').first().json;
const lastQr = $('Wait for the link').last().json.lastQr ?? null;
const r = wahaResult($input.first().json, 'GET /api/sessions/{session}');
const status = r.b.status;
const me = r.b.me && typeof r.b.me.id === 'string' ? { id: r.b.me.id, pushName: r.b.me.pushName ?? null } : null;
// 0 look for a rotated QR, 1 keep waiting, 2 report the status reached, 3 report a failure
let route;
if (!r.ok) route = 3;
else if (!WAHA_STATUSES.includes(status)) route = 1;
else if (status === 'WORKING' || status === 'FAILED' || status === 'STOPPED') route = 2;
else if (Date.now() - cmd.receivedAt > ${CREATE_LINK_DEADLINE_MS}) route = 2;
else if (status === 'SCAN_QR_CODE' && cmd.payload.authMethod === 'QR') route = 0;
else route = 1;
return [{ json: { route, status, me, lastQr, failure: r.ok ? null : r.failure() } }];
`,
    [17, 2],
  );
  wf.connect(getLinking, checkLinking);
  const routeLinking = router(wf, 'Route linking', 4, [18, 2]);
  wf.connect(checkLinking, routeLinking);
  wf.connect(routeLinking, waitLink, 1);
  wf.connect(routeLinking, reportStatus, 2);
  wf.connect(routeLinking, reportFailure, 3);

  const fetchCurrentQr = waha(
    wf,
    'Fetch current QR',
    { method: 'GET', path: `'/api/' + ${SESSION} + '/auth/qr'`, query: { format: "'raw'" } },
    [19, 3],
  );
  wf.connect(routeLinking, fetchCurrentQr, 0);
  const checkCurrentQr = code(
    wf,
    'Check current QR',
    `${WAHA_RESULT_JS}
const lastQr = $('Check linking').last().json.lastQr;
const r = wahaResult($input.first().json, 'GET /api/{session}/auth/qr');
// The status may have moved on since it was read (422): the next status check sees where to.
const value = r.ok && typeof r.b.value === 'string' && r.b.value !== '' ? r.b.value : null;
if (value !== null && value !== lastQr) return [{ json: { route: 0, value, lastQr: value } }];
return [{ json: { route: 1, lastQr } }];
`,
    [20, 3],
  );
  wf.connect(fetchCurrentQr, checkCurrentQr);
  const rotated = router(wf, 'QR rotated?', 2, [21, 3]);
  wf.connect(checkCurrentQr, rotated);
  wf.connect(rotated, waitLink, 1);
  const reportRotated = writeBack(
    wf,
    'Report rotated QR',
    M.qr,
    `{ input: { ${SESSION_IDS}, value: $json.value } }`,
    [22, 3],
    failed,
  );
  wf.connect(rotated, reportRotated, 0);
  const afterRotated = code(
    wf,
    'Rotated QR recorded',
    `if ($input.first().json.errors) return [];
return [{ json: { lastQr: $('Check current QR').last().json.value } }];
`,
    [23, 3],
  );
  wf.connect(reportRotated, afterRotated, 0);
  wf.connect(afterRotated, waitLink);

  return wf.build();
}

/** One WAHA call, then one write-back; any WAHA failure → reportSessionFailure. */
function simpleSessionCommand(options: {
  id: string;
  type: string;
  path: string;
  call: WahaCall;
  step: string;
  okWhen?: string;
  /** A 422 naming a status other than SCAN_QR_CODE is reported as that status, not as a failure. */
  wrongStateReportsStatus?: boolean;
  validatePayload?: string;
  report: { name: string; query: string; variables: string };
}): N8nWorkflow {
  const wf = new Workflow(options.id, `whatsapp-hub: ${options.type}`);
  const { command } = intake(wf, options.type, options.path, options.validatePayload);
  const failed = writeBackFailed(wf, [7, 2]);
  const reportFailure = sessionFailureNode(wf, [6, 1], failed);
  const call = waha(wf, `WAHA ${options.step}`, options.call, [3, 0]);
  wf.connect(command, call);
  const check = code(
    wf,
    'Check WAHA answer',
    options.wrongStateReportsStatus
      ? checkJs(options.step, options.okWhen).replace(
          'return [{ json: { route: ok ? 0 : 1,',
          `// 422 with WAHA's status: the session moved on (e.g. linked before this command came), not a failure.
const moved = !ok && r.statusCode === 422 && WAHA_STATUSES.includes(r.b.status) && r.b.status !== 'SCAN_QR_CODE';
return [{ json: { route: ok ? 0 : moved ? 2 : 1,`,
        )
      : checkJs(options.step, options.okWhen),
    [4, 0],
  );
  wf.connect(call, check);
  const route = router(wf, 'Succeeded?', options.wrongStateReportsStatus ? 3 : 2, [5, 0]);
  wf.connect(check, route);
  const report = writeBack(
    wf,
    options.report.name,
    options.report.query,
    options.report.variables,
    [6, 0],
    failed,
  );
  wf.connect(route, report, 0);
  wf.connect(route, reportFailure, 1);
  if (options.wrongStateReportsStatus) {
    const reportStatus = writeBack(
      wf,
      'Report the status WAHA gave',
      M.sessionStatus,
      `{ input: { ${SESSION_IDS}, status: $json.failure.status } }`,
      [6, 2],
      failed,
    );
    wf.connect(route, reportStatus, 2);
  }
  return wf.build();
}

const STATUS_FROM_BODY = (fallback: string): string =>
  `['STOPPED', 'STARTING', 'SCAN_QR_CODE', 'WORKING', 'FAILED'].includes($json.body && $json.body.status) ? $json.body.status : '${fallback}'`;

function sessionAction(action: 'stop' | 'restart' | 'logout', id: string, fallback: string): N8nWorkflow {
  return simpleSessionCommand({
    id,
    type: `session.${action}`,
    path: `session-${action}`,
    step: `POST /api/sessions/{session}/${action}`,
    call: { method: 'POST', path: `'/api/sessions/' + ${SESSION} + '/${action}'` },
    report: {
      name: 'Report session status',
      query: M.sessionStatus,
      variables: `{ input: { ${SESSION_IDS}, status: ${STATUS_FROM_BODY(fallback)} } }`,
    },
  });
}

function messageSend(): N8nWorkflow {
  const wf = new Workflow('whHubMessageSend', 'whatsapp-hub: message.send');
  const { command } = intake(
    wf,
    'message.send',
    'message-send',
    `if (typeof payload.messageId !== 'string' || payload.messageId === '') reject('payload.messageId is missing');
if (typeof payload.text !== 'string' || payload.text === '') reject('payload.text is missing');
if (typeof payload.chatId !== 'string' && typeof payload.phoneNumber !== 'string') reject('payload needs chatId or phoneNumber');
if (payload.phoneNumber !== null && payload.phoneNumber !== undefined && !/^\\d{6,20}$/.test(String(payload.phoneNumber))) {
  reject('payload.phoneNumber must be digits');
}`,
  );
  const failed = writeBackFailed(
    wf,
    [10, 3],
    writeBackFailedJs(
      // Once WAHA took the text, the message must not be reported failed: the session gets the error.
      "$('Report message sent').isExecuted ? null : cmd.payload.messageId",
      "($('Report message sent').isExecuted ? 'WAHA sent message ' + cmd.payload.messageId + ' (' + " +
        "$('Check sent').last().json.wahaMessageId + ') but whatsapp-hub did not record it: ' : " +
        "'whatsapp-hub did not take a write-back: ')",
    ),
  );
  const reportFailed = writeBack(
    wf,
    'Report message failed',
    M.messageFailed,
    `{ input: { messageId: ${CMD}.payload.messageId, commandId: ${CMD}.commandId, reason: $json.failure.reason, ` +
      'wahaStatusCode: $json.failure.wahaStatusCode, wahaMessage: $json.failure.wahaMessage } }',
    [9, 3],
    failed,
  );

  const getSession = waha(
    wf,
    'Get session',
    { method: 'GET', path: `'/api/sessions/' + ${SESSION}` },
    [3, 0],
  );
  wf.connect(command, getSession);
  const checkSession = code(
    wf,
    'Check session is WORKING',
    `${WAHA_RESULT_JS}
const cmd = $('Command').first().json;
const r = wahaResult($input.first().json, 'GET /api/sessions/{session}');
// 0 check the number first, 1 send, 2 report the message failed
if (!r.ok) return [{ json: { route: 2, failure: r.failure() } }];
if (r.b.status !== 'WORKING') {
  return [{ json: { route: 2, failure: {
    reason: 'The WhatsApp session is ' + r.b.status + ', not WORKING: nothing was sent',
    wahaStatusCode: null,
    wahaMessage: null,
  } } }];
}
const phone = cmd.payload.phoneNumber;
if (typeof phone === 'string' && phone !== '') return [{ json: { route: 0, phone } }];
return [{ json: { route: 1, chatId: cmd.payload.chatId } }];
`,
    [4, 0],
  );
  wf.connect(getSession, checkSession);
  const routeSession = router(wf, 'Route session check', 3, [5, 0]);
  wf.connect(checkSession, routeSession);
  wf.connect(routeSession, reportFailed, 2);

  const checkExists = waha(
    wf,
    'Check number exists',
    {
      method: 'GET',
      path: "'/api/contacts/check-exists'",
      query: { phone: '$json.phone', session: `${CMD}.sessionId` },
    },
    [6, 1],
  );
  wf.connect(routeSession, checkExists, 0);
  const checkNumber = code(
    wf,
    'Check number result',
    `${WAHA_RESULT_JS}
const cmd = $('Command').first().json;
const r = wahaResult($input.first().json, 'GET /api/contacts/check-exists');
if (!r.ok) return [{ json: { route: 1, failure: r.failure() } }];
if (r.b.numberExists !== true) {
  return [{ json: { route: 1, failure: {
    reason: '+' + cmd.payload.phoneNumber + ' is not on WhatsApp: nothing was sent',
    wahaStatusCode: null,
    wahaMessage: null,
  } } }];
}
const chatId = typeof r.b.chatId === 'string' && r.b.chatId !== '' ? r.b.chatId : cmd.payload.phoneNumber + '@c.us';
return [{ json: { route: 0, chatId } }];
`,
    [7, 1],
  );
  wf.connect(checkExists, checkNumber);
  const numberOk = router(wf, 'On WhatsApp?', 2, [8, 1]);
  wf.connect(checkNumber, numberOk);
  wf.connect(numberOk, reportFailed, 1);

  // Never retried: a retry could send the text twice.
  const send = waha(
    wf,
    'Send text',
    {
      method: 'POST',
      path: "'/api/sendText'",
      body: `{ session: ${CMD}.sessionId, chatId: $json.chatId, text: ${CMD}.payload.text }`,
    },
    [9, 0],
  );
  wf.connect(routeSession, send, 1);
  wf.connect(numberOk, send, 0);
  const checkSent = code(
    wf,
    'Check sent',
    `${WAHA_RESULT_JS}
const r = wahaResult($input.first().json, 'POST /api/sendText');
if (!r.ok) return [{ json: { route: 1, failure: r.failure() } }];
// The engine shapes the answer: GOWS id is the string, WEBJS id._serialized, NOWEB a Baileys key.
const b = r.b;
let wahaMessageId = null;
if (typeof b.id === 'string') wahaMessageId = b.id;
else if (b.id && typeof b.id._serialized === 'string') wahaMessageId = b.id._serialized;
else if (b.key && typeof b.key.id === 'string' && typeof b.key.remoteJid === 'string') {
  wahaMessageId = (b.key.fromMe === true ? 'true' : 'false') + '_' +
    b.key.remoteJid.replace(/@s\\.whatsapp\\.net$/, '@c.us') + '_' + b.key.id;
}
if (wahaMessageId === null) {
  return [{ json: { route: 1, failure: {
    reason: 'WAHA POST /api/sendText answered without a message id; the text may have been sent',
    wahaStatusCode: r.statusCode,
    wahaMessage: JSON.stringify(b).slice(0, 300),
  } } }];
}
return [{ json: { route: 0, wahaMessageId } }];
`,
    [10, 0],
  );
  wf.connect(send, checkSent);
  const sent = router(wf, 'Sent?', 2, [11, 0]);
  wf.connect(checkSent, sent);
  wf.connect(sent, reportFailed, 1);
  writeBack(
    wf,
    'Report message sent',
    M.messageSent,
    `{ input: { messageId: ${CMD}.payload.messageId, wahaMessageId: $json.wahaMessageId, commandId: ${CMD}.commandId } }`,
    [12, 0],
    failed,
  );
  wf.connect(sent, 'Report message sent', 0);
  return wf.build();
}

function chatsSync(): N8nWorkflow {
  const wf = new Workflow('whHubChatsSync', 'whatsapp-hub: chats.sync');
  const { command } = intake(
    wf,
    'chats.sync',
    'chats-sync',
    `for (const key of ['chatsLimit', 'messagesLimit']) {
  if (payload[key] !== undefined && (!Number.isInteger(payload[key]) || payload[key] < 1 || payload[key] > 1000)) {
    reject('payload.' + key + ' must be an integer from 1 to 1000');
  }
}`,
  );
  const failed = writeBackFailed(wf, [9, 3]);
  const reportFailure = sessionFailureNode(wf, [8, 2], failed);

  const overview = waha(
    wf,
    'Get chats overview',
    {
      method: 'GET',
      path: `'/api/' + ${SESSION} + '/chats/overview'`,
      query: { limit: `String(${CMD}.payload.chatsLimit ?? 20)` },
    },
    [3, 0],
  );
  wf.connect(command, overview);
  const checkChats = code(
    wf,
    'Check chats',
    checkJs('GET /api/{session}/chats/overview', 'r.ok && Array.isArray(r.body)'),
    [4, 0],
  );
  wf.connect(overview, checkChats);
  const chatsOk = router(wf, 'Chats read?', 2, [5, 0]);
  wf.connect(checkChats, chatsOk);
  wf.connect(chatsOk, reportFailure, 1);
  const upsertChats = writeBack(
    wf,
    'Upsert chats',
    M.upsertChats,
    `{ input: { ${SESSION_IDS}, chats: $json.body } }`,
    [6, 0],
    failed,
  );
  wf.connect(chatsOk, upsertChats, 0);
  const eachChat = code(
    wf,
    'Each chat',
    `if ($input.first().json.errors) return [];
const chats = $('Check chats').last().json.body;
return chats
  .map((chat) => (typeof chat.id === 'string' ? chat.id : chat.id && chat.id._serialized))
  .filter((id) => typeof id === 'string' && id !== '')
  .map((chatId) => ({ json: { chatId } }));
`,
    [7, 0],
  );
  wf.connect(upsertChats, eachChat, 0);
  const messages = waha(
    wf,
    'Get chat messages',
    {
      method: 'GET',
      path: `'/api/' + ${SESSION} + '/chats/' + encodeURIComponent($json.chatId) + '/messages'`,
      query: { limit: `String(${CMD}.payload.messagesLimit ?? 20)`, downloadMedia: "'false'" },
    },
    [8, 0],
  );
  wf.connect(eachChat, messages);
  const collect = code(
    wf,
    'Collect messages',
    `${WAHA_RESULT_JS}
const chats = $('Each chat').all();
const all = [];
for (const [index, item] of $input.all().entries()) {
  const chatId = chats[index] ? chats[index].json.chatId : null;
  const r = wahaResult(item.json, 'GET /api/{session}/chats/{chatId}/messages');
  if (!r.ok || !Array.isArray(r.body)) {
    const failure = r.ok ? { reason: 'WAHA answered chat messages for ' + chatId + ' without a list', wahaStatusCode: r.statusCode, wahaMessage: null, status: null } : r.failure();
    return [{ json: { route: 1, failure } }];
  }
  all.push(...r.body);
}
return [{ json: { route: 0, messages: all } }];
`,
    [9, 0],
  );
  wf.connect(messages, collect);
  const messagesOk = router(wf, 'Messages read?', 2, [10, 0]);
  wf.connect(collect, messagesOk);
  wf.connect(messagesOk, reportFailure, 1);
  writeBack(
    wf,
    'Upsert messages',
    M.upsertMessages,
    `{ input: { ${SESSION_IDS}, messages: $json.messages } }`,
    [11, 0],
    failed,
  );
  wf.connect(messagesOk, 'Upsert messages', 0);
  return wf.build();
}

function messageReceived(): N8nWorkflow {
  const wf = new Workflow('whHubMessageReceived', 'whatsapp-hub: message.received');
  const webhook = wf.add(
    {
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2.1,
      webhookId: stableUuid(wf.id, 'webhook'),
      parameters: {
        httpMethod: 'POST',
        path: `${WEBHOOK_PATH_PREFIX}/message-received`,
        authentication: 'headerAuth',
        responseMode: 'responseNode',
        options: {},
      },
      credentials: { httpHeaderAuth: credentialRef(CREDENTIALS.webhookSecret) },
      notes: `POST /webhook/${WEBHOOK_PATH_PREFIX}/message-received with a message.received CommandEnvelope`,
    },
    [0, 0],
  );
  const accept = wf.add(
    {
      name: 'Accept command',
      type: 'n8n-nodes-base.respondToWebhook',
      typeVersion: 1.5,
      parameters: {
        respondWith: 'json',
        responseBody: expr('{ accepted: true, commandId: $json.body.commandId ?? null }'),
        options: { responseCode: 202 },
      },
    },
    [1, 0],
  );
  wf.connect(webhook, accept);
  const start = wf.add(
    {
      name: 'Automations start here',
      type: 'n8n-nodes-base.noOp',
      typeVersion: 1,
      parameters: {},
      notes:
        'An inbound message ($json.body.payload: chatId, messageId, from, body, timestamp, hasMedia). Connect automations here.',
      notesInFlow: true,
    },
    [2, 0],
  );
  wf.connect(accept, start);
  return wf.build();
}

function errorWorkflow(): N8nWorkflow {
  const wf = new Workflow(ERROR_WORKFLOW_ID, 'whatsapp-hub: errors');
  const trigger = wf.add(
    {
      name: 'Error Trigger',
      type: 'n8n-nodes-base.errorTrigger',
      typeVersion: 1,
      parameters: {},
      notes: 'Runs when a whatsapp-hub workflow fails (their settings name this workflow as errorWorkflow).',
    },
    [0, 0],
  );
  const attribute = code(
    wf,
    'Attribute the failure',
    `const data = $input.first().json;
const error = (data.execution && data.execution.error) || (data.trigger && data.trigger.error) || {};
const text = [error.message, error.description].filter((part) => typeof part === 'string').join(' ');
// Failures the workflows could tie to a session or message carry [whatsapp-hub session=… command=… message=…].
const match = /\\[whatsapp-hub ([^\\]]*)\\]\\s*([\\s\\S]*)/.exec(text);
if (!match) return [];
const tags = {};
for (const pair of match[1].trim().split(/\\s+/)) {
  const at = pair.indexOf('=');
  const value = at > 0 ? pair.slice(at + 1) : '';
  if (value !== '' && value !== '-') tags[pair.slice(0, at)] = value;
}
const where = data.execution && data.execution.lastNodeExecuted ? ' at "' + data.execution.lastNodeExecuted + '"' : '';
const reason = ('n8n workflow "' + (data.workflow && data.workflow.name) + '" failed' + where + ': ' +
  match[2].replace(/\\s*\\[line \\d+\\]\\s*$/, '').trim()).slice(0, 1500);
const commandId = tags.command || null;
if (tags.message) return [{ json: { route: 1, variables: { input: { messageId: tags.message, commandId, reason } } } }];
if (tags.session) return [{ json: { route: 0, variables: { input: { sessionId: tags.session, commandId, reason } } } }];
return [];
`,
    [1, 0],
  );
  wf.connect(trigger, attribute);
  const route = router(wf, 'Session or message?', 2, [2, 0]);
  wf.connect(attribute, route);
  for (const [index, name, query] of [
    [0, 'Report session failure', M.sessionFailure],
    [1, 'Report message failed', M.messageFailed],
  ] as const) {
    wf.add(
      {
        name,
        type: 'n8n-nodes-base.graphql',
        typeVersion: 1.1,
        parameters: {
          authentication: 'headerAuth',
          endpoint: expr('$env.WHATSAPP_HUB_INTERNAL_URL'),
          requestMethod: 'POST',
          requestFormat: 'json',
          query,
          variables: expr('$json.variables'),
          responseFormat: 'json',
        },
        credentials: { httpHeaderAuth: credentialRef(CREDENTIALS.internalKey) },
        // Retried: the failure it reports is often whatsapp-hub having been unreachable a moment ago.
        retryOnFail: true,
        maxTries: 5,
        waitBetweenTries: 5000,
      },
      [3, index],
    );
    wf.connect(route, name, index);
  }
  return wf.build();
}

// ---------------------------------------------------------------------------------------------

export interface WorkflowFile {
  file: string;
  workflow: N8nWorkflow;
}

export function buildWorkflows(): WorkflowFile[] {
  return [
    { file: 'session-create.json', workflow: sessionCreate() },
    {
      file: 'session-fetch-qr.json',
      workflow: simpleSessionCommand({
        id: 'whHubSessionFetchQr',
        type: 'session.fetchQr',
        path: 'session-fetch-qr',
        step: 'GET /api/{session}/auth/qr',
        call: { method: 'GET', path: `'/api/' + ${SESSION} + '/auth/qr'`, query: { format: "'raw'" } },
        okWhen: "r.ok && typeof r.b.value === 'string' && r.b.value !== ''",
        wrongStateReportsStatus: true,
        report: {
          name: 'Report QR',
          query: M.qr,
          variables: `{ input: { ${SESSION_IDS}, value: $json.body.value } }`,
        },
      }),
    },
    {
      file: 'session-request-code.json',
      workflow: simpleSessionCommand({
        id: 'whHubSessionReqCode',
        type: 'session.requestCode',
        path: 'session-request-code',
        step: 'POST /api/{session}/auth/request-code',
        call: {
          method: 'POST',
          path: `'/api/' + ${SESSION} + '/auth/request-code'`,
          body: `{ phoneNumber: ${CMD}.payload.phoneNumber }`,
        },
        okWhen: "r.ok && typeof r.b.code === 'string' && r.b.code !== ''",
        validatePayload: `if (typeof payload.phoneNumber !== 'string' || !/^\\d{6,20}$/.test(payload.phoneNumber)) reject('payload.phoneNumber must be digits');`,
        report: {
          name: 'Report pairing code',
          query: M.pairingCode,
          variables: `{ input: { ${SESSION_IDS}, code: $json.body.code } }`,
        },
      }),
    },
    { file: 'session-stop.json', workflow: sessionAction('stop', 'whHubSessionStop', 'STOPPED') },
    { file: 'session-restart.json', workflow: sessionAction('restart', 'whHubSessionRestart', 'STARTING') },
    { file: 'session-logout.json', workflow: sessionAction('logout', 'whHubSessionLogout', 'STARTING') },
    {
      file: 'session-delete.json',
      workflow: simpleSessionCommand({
        id: 'whHubSessionDelete',
        type: 'session.delete',
        path: 'session-delete',
        step: 'DELETE /api/sessions/{session}',
        call: { method: 'DELETE', path: `'/api/sessions/' + ${SESSION}` },
        // Already gone is what we wanted.
        okWhen: 'r.ok || r.statusCode === 404',
        report: {
          name: 'Report session deleted',
          query: M.sessionDeleted,
          variables: `{ input: { ${SESSION_IDS} } }`,
        },
      }),
    },
    { file: 'message-send.json', workflow: messageSend() },
    { file: 'chats-sync.json', workflow: chatsSync() },
    { file: 'message-received.json', workflow: messageReceived() },
    { file: 'errors.json', workflow: errorWorkflow() },
  ];
}

export function buildCredentials(): unknown[] {
  return Object.values(CREDENTIALS).map((credential) => ({ ...credential }));
}

/** The files exactly as they are committed: formatted by the repo's prettier, as `npm run check` wants. */
export async function renderFiles(): Promise<Record<string, string>> {
  const options = {
    ...(await prettier.resolveConfig(join(repoN8nDir(), 'credentials.json'))),
    parser: 'json',
  };
  const files: Record<string, string> = {};
  for (const { file, workflow } of buildWorkflows())
    files[`workflows/${file}`] = await prettier.format(JSON.stringify(workflow), options);
  files['credentials.json'] = await prettier.format(JSON.stringify(buildCredentials()), options);
  return files;
}

export function repoN8nDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'n8n');
}

async function writeAll(): Promise<void> {
  const dir = repoN8nDir();
  mkdirSync(join(dir, 'workflows'), { recursive: true });
  const files = await renderFiles();
  for (const stale of readdirSync(join(dir, 'workflows'))) {
    if (stale.endsWith('.json') && !(`workflows/${stale}` in files)) rmSync(join(dir, 'workflows', stale));
  }
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  console.log(`wrote ${Object.keys(files).length} files under ${dir}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await writeAll();
