import { CMD, M, SESSION, SESSION_IDS } from './nodes.js';
import { simpleSessionCommand } from './session-command.js';
import { type N8nWorkflow } from './workflow.js';

/** session.requestCode: a new pairing code for a PHONE_CODE session in SCAN_QR_CODE. */
export function sessionRequestCode(): N8nWorkflow {
  return simpleSessionCommand({
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
  });
}
