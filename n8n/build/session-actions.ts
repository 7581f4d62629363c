/** The session commands that are one WAHA call and one report: stop, restart, log out, delete. */
import { M, SESSION, SESSION_IDS } from './nodes.js';
import { simpleSessionCommand } from './session-command.js';
import { type N8nWorkflow } from './workflow.js';

const STATUS_FROM_BODY = (fallback: string): string =>
  `['STOPPED', 'STARTING', 'SCAN_QR_CODE', 'WORKING', 'FAILED'].includes($json.body && $json.body.status) ? $json.body.status : '${fallback}'`;

export function sessionAction(
  action: 'stop' | 'restart' | 'logout',
  id: string,
  fallback: string,
): N8nWorkflow {
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

export function sessionDelete(): N8nWorkflow {
  return simpleSessionCommand({
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
  });
}
