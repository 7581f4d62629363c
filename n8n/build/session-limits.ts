/**
 * session.limits: the account's message capping and reach-out timelock, fresh from WAHA
 * (2026.8): `GET /api/sessions/{session}/capping` then `/timelock`, reported together through
 * `reportSessionLimits`. Capping exists on GOWS only: another engine (or a WAHA before 2026.8.1)
 * answers 404 or 422, which is an answer — no capping, reported as `capping: null` — not a
 * failure. A WAHA without the timelock endpoint (404) leaves `timelock` out (the service keeps
 * what it knows). Any other WAHA failure → reportSessionFailure.
 */
import { WAHA_RESULT_JS } from './js.js';
import {
  code,
  intake,
  M,
  router,
  SESSION,
  SESSION_IDS,
  sessionFailureNode,
  waha,
  writeBack,
  writeBackFailed,
} from './nodes.js';
import { type N8nWorkflow, Workflow } from './workflow.js';

const CAPPING_STEP = 'GET /api/sessions/{session}/capping';
const TIMELOCK_STEP = 'GET /api/sessions/{session}/timelock';

const CHECK_CAPPING_JS = `${WAHA_RESULT_JS}
const r = wahaResult($input.first().json, ${JSON.stringify(CAPPING_STEP)});
const isObject = r.body !== null && typeof r.body === 'object' && !Array.isArray(r.body);
// 404/422: this engine (or WAHA version) has no capping: reported as none.
const none = r.answered && (r.statusCode === 404 || r.statusCode === 422);
const ok = (r.ok && isObject) || none;
return [{ json: { route: ok ? 0 : 1, capping: r.ok && isObject ? r.body : null, failure: ok ? null : r.failure() } }];
`;

const CHECK_TIMELOCK_JS = `${WAHA_RESULT_JS}
const r = wahaResult($input.first().json, ${JSON.stringify(TIMELOCK_STEP)});
const isObject = r.body !== null && typeof r.body === 'object' && !Array.isArray(r.body);
// 404: no timelock endpoint in this WAHA: left out. 200 with no object: WhatsApp set none.
const unknown = r.answered && r.statusCode === 404;
const ok = r.ok || unknown;
const capping = $('Check capping').first().json.capping;
const limits = unknown ? { capping } : { capping, timelock: r.ok && isObject ? r.body : null };
return [{ json: { route: ok ? 0 : 1, limits, failure: ok ? null : r.failure() } }];
`;

export function sessionLimits(): N8nWorkflow {
  const wf = new Workflow('whHubSessionLimits', 'whatsapp-hub: session.limits');
  const { command } = intake(wf, 'session.limits', 'session-limits');
  const failed = writeBackFailed(wf, [9, 2]);
  const reportFailure = sessionFailureNode(wf, [8, 1], failed);

  const capping = waha(
    wf,
    `WAHA ${CAPPING_STEP}`,
    { method: 'GET', path: `'/api/sessions/' + ${SESSION} + '/capping'` },
    [3, 0],
  );
  wf.connect(command, capping);
  const checkCapping = code(wf, 'Check capping', CHECK_CAPPING_JS, [4, 0]);
  wf.connect(capping, checkCapping);
  const cappingRoute = router(wf, 'Capping answered?', 2, [5, 0]);
  wf.connect(checkCapping, cappingRoute);

  const timelock = waha(
    wf,
    `WAHA ${TIMELOCK_STEP}`,
    { method: 'GET', path: `'/api/sessions/' + ${SESSION} + '/timelock'` },
    [6, 0],
  );
  wf.connect(cappingRoute, timelock, 0);
  wf.connect(cappingRoute, reportFailure, 1);
  const checkTimelock = code(wf, 'Check timelock', CHECK_TIMELOCK_JS, [7, 0]);
  wf.connect(timelock, checkTimelock);
  const timelockRoute = router(wf, 'Timelock answered?', 2, [8, 0]);
  wf.connect(checkTimelock, timelockRoute);

  const report = writeBack(
    wf,
    'Report limits',
    M.sessionLimits,
    `{ input: Object.assign({ ${SESSION_IDS} }, $json.limits) }`,
    [9, 0],
    failed,
  );
  wf.connect(timelockRoute, report, 0);
  wf.connect(timelockRoute, reportFailure, 1);
  return wf.build();
}
