import { checkJs } from './js.js';
import {
  code,
  intake,
  M,
  router,
  SESSION_IDS,
  sessionFailureNode,
  waha,
  type WahaCall,
  writeBack,
  writeBackFailed,
} from './nodes.js';
import { type N8nWorkflow, Workflow } from './workflow.js';

/**
 * One WAHA call, then one write-back; any WAHA failure → reportSessionFailure. The simple session
 * commands, and the commands about something other than our own message (message.react,
 * contact.lookup), whose failures are the session's last error.
 */
export function simpleSessionCommand(options: {
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
