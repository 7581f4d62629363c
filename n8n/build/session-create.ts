import { checkJs, WAHA_RESULT_JS } from './js.js';
import { CREATE_START_DEADLINE_MS } from './names.js';
import {
  CMD,
  code,
  intake,
  M,
  router,
  SESSION,
  SESSION_IDS,
  sessionFailureNode,
  wait,
  waha,
  writeBack,
  writeBackFailed,
} from './nodes.js';
import { type N8nWorkflow, Workflow } from './workflow.js';

/**
 * session.create: creates the session in WAHA and waits (bounded) for it to start. For a QR
 * session the run then ends: one producer per QR, so every QR, the first included, comes from
 * WAHA's SCAN_QR_CODE webhook, for which the service queues a session.fetchQr (it proves its
 * webhook reachable before it creates a session); fetching the first one here as well would
 * fetch and report it twice. A PHONE_CODE session gets its pairing code here (no webhook
 * announces codes, and the service queues no fetch for them). A session WAHA already shows
 * WORKING or FAILED gets that status reported. The link (WORKING with `me`) and the end of the
 * window (FAILED) come from WAHA's session.status webhook: the run does not watch for them.
 */
export function sessionCreate(): N8nWorkflow {
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
// 0 wait, 1 QR: WAHA's webhook brings it, 2 request the pairing code, 3 WORKING, 4 FAILED, 5 report a failure
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

  // QR: the run ends. WAHA's SCAN_QR_CODE webhook has the service queue a session.fetchQr for
  // this QR and each rotation; that run reports it. Reporting the status here would add nothing
  // the webhook does not carry, and a late one could take a linked session back to SCAN_QR_CODE.
  const qrByWebhook = wf.add(
    {
      name: 'QR comes from session.fetchQr',
      type: 'n8n-nodes-base.noOp',
      typeVersion: 1,
      parameters: {},
      notes:
        "One producer per QR: WAHA's SCAN_QR_CODE webhook makes the service queue session.fetchQr, which reports every QR, the first included (n8n/CONTRACT.md).",
      notesInFlow: true,
    },
    [10, 1],
  );
  wf.connect(routeStatus, qrByWebhook, 1);

  // Pairing code: only legal in SCAN_QR_CODE; the run ends once it is reported.
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

  return wf.build();
}
