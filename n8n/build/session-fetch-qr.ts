import { M, SESSION, SESSION_IDS } from './nodes.js';
import { simpleSessionCommand } from './session-command.js';
import { type N8nWorkflow } from './workflow.js';

/**
 * session.fetchQr: WAHA's SCAN_QR_CODE webhook makes the service queue one per QR, so this is
 * where every QR after the first comes from.
 */
export function sessionFetchQr(): N8nWorkflow {
  return simpleSessionCommand({
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
  });
}
