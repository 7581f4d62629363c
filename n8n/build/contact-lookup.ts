/**
 * contact.lookup: which phone number a LID is. `GET /api/{session}/lids/{lid}` answers
 * `{lid, pn}` (WAHA's LidToPhoneNumber), with `pn` null when WAHA does not know it — that is
 * an answer too, reported as `phoneId: null`. Then `reportContactIds`.
 */
import { CMD, M, SESSION, SESSION_IDS } from './nodes.js';
import { simpleSessionCommand } from './session-command.js';
import { type N8nWorkflow } from './workflow.js';

const PHONE_ID =
  "typeof $json.body.pn === 'string' && /@(c\\.us|s\\.whatsapp\\.net)$/.test($json.body.pn) " +
  "? $json.body.pn.replace(/@s\\.whatsapp\\.net$/, '@c.us') : null";

export function contactLookup(): N8nWorkflow {
  return simpleSessionCommand({
    id: 'whHubContactLookup',
    type: 'contact.lookup',
    path: 'contact-lookup',
    step: 'GET /api/{session}/lids/{lid}',
    call: {
      method: 'GET',
      path: `'/api/' + ${SESSION} + '/lids/' + encodeURIComponent(${CMD}.payload.lid)`,
    },
    // WAHA answers an unknown LID with 200 and pn null; the body must still be its object.
    okWhen: "r.ok && r.body !== null && typeof r.body === 'object' && !Array.isArray(r.body)",
    // It goes into WAHA's URL: a LID as WAHA writes it, nothing else.
    validatePayload: `if (typeof payload.lid !== 'string' || !/^[0-9]{1,40}(:[0-9]{1,5})?@lid$/.test(payload.lid)) {
  reject('payload.lid must be a LID (<digits>@lid)');
}`,
    report: {
      name: 'Report contact ids',
      query: M.contactIds,
      variables: `{ input: { ${SESSION_IDS}, lid: ${CMD}.payload.lid, phoneId: ${PHONE_ID} } }`,
    },
  });
}
