/**
 * group.participants: a group's subject (`GET /api/{session}/groups/{id}`) and its members
 * (`GET /api/{session}/groups/{id}/participants/v2`, WAHA's GroupParticipant: `id` in @c.us or
 * @lid form, `pn` the phone number when WAHA knows it, `role`), then one
 * `reportGroupParticipants`. Any WAHA failure → reportSessionFailure.
 */
import { checkJs, WAHA_RESULT_JS } from './js.js';
import {
  CMD,
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

const GROUP_PATH = `'/api/' + ${SESSION} + '/groups/' + encodeURIComponent(${CMD}.payload.chatId)`;

/**
 * The `Check participants` node: WAHA's list as the service takes it. Members who left are not
 * participants; a phone id is a `@c.us` id (the member's own id, or WAHA's `pn` for a LID). The
 * subject's field depends on the engine (NOWEB `subject`, WEBJS `groupMetadata.subject` or
 * `name`, GOWS `Name`).
 */
export const PARTICIPANTS_JS = `${WAHA_RESULT_JS}
const step = 'GET /api/{session}/groups/{id}/participants/v2';
const r = wahaResult($input.first().json, step);
if (!r.ok) return [{ json: { route: 1, failure: r.failure() } }];
if (!Array.isArray(r.body)) {
  return [{ json: { route: 1, failure: {
    reason: 'WAHA ' + step + ' answered without a list',
    wahaStatusCode: r.statusCode,
    wahaMessage: JSON.stringify(r.body).slice(0, 300),
    status: null,
  } } }];
}
// GOWS writes phone-number ids @s.whatsapp.net; the service (and WAHA's other engines) @c.us.
const idOf = (v) => {
  const id = typeof v === 'string' ? v : v && typeof v._serialized === 'string' ? v._serialized : null;
  return id === null ? null : id.replace(/@s\\.whatsapp\\.net$/, '@c.us');
};
const asPhoneId = (id) => (typeof id === 'string' && id.endsWith('@c.us') ? id : null);
const participants = [];
const seen = new Set();
for (const member of r.body) {
  if (member === null || typeof member !== 'object' || member.role === 'left') continue;
  const id = idOf(member.id);
  if (id === null || id === '' || seen.has(id)) continue;
  seen.add(id);
  participants.push({
    id,
    phoneId: asPhoneId(id) ?? asPhoneId(idOf(member.pn)),
    role: typeof member.role === 'string' ? member.role : null,
  });
}
const group = $('Check group').first().json.body;
const g = group !== null && typeof group === 'object' ? group : {};
const subject = [g.subject, g.groupMetadata && g.groupMetadata.subject, g.name, g.Name]
  .find((s) => typeof s === 'string' && s !== '');
return [{ json: { route: 0, subject: subject === undefined ? null : subject, participants } }];
`;

export function groupParticipants(): N8nWorkflow {
  const wf = new Workflow('whHubGroupMembers', 'whatsapp-hub: group.participants');
  const { command } = intake(
    wf,
    'group.participants',
    'group-participants',
    // It goes into WAHA's URLs: a group id as WAHA writes it, nothing else.
    `if (typeof payload.chatId !== 'string' || !/^[0-9]{1,40}(-[0-9]{1,20})?@g\\.us$/.test(payload.chatId)) {
  reject('payload.chatId must be a group id (<digits>@g.us)');
}`,
  );
  const failed = writeBackFailed(wf, [10, 2]);
  const reportFailure = sessionFailureNode(wf, [9, 1], failed);

  const getGroup = waha(wf, 'Get group', { method: 'GET', path: GROUP_PATH }, [3, 0]);
  wf.connect(command, getGroup);
  const checkGroup = code(wf, 'Check group', checkJs('GET /api/{session}/groups/{id}'), [4, 0]);
  wf.connect(getGroup, checkGroup);
  const groupOk = router(wf, 'Group read?', 2, [5, 0]);
  wf.connect(checkGroup, groupOk);
  wf.connect(groupOk, reportFailure, 1);

  const getParticipants = waha(
    wf,
    'Get participants',
    { method: 'GET', path: `${GROUP_PATH} + '/participants/v2'` },
    [6, 0],
  );
  wf.connect(groupOk, getParticipants, 0);
  const checkParticipants = code(wf, 'Check participants', PARTICIPANTS_JS, [7, 0]);
  wf.connect(getParticipants, checkParticipants);
  const participantsOk = router(wf, 'Participants read?', 2, [8, 0]);
  wf.connect(checkParticipants, participantsOk);
  wf.connect(participantsOk, reportFailure, 1);
  writeBack(
    wf,
    'Report group participants',
    M.groupParticipants,
    `{ input: { ${SESSION_IDS}, chatId: ${CMD}.payload.chatId, subject: $json.subject, participants: $json.participants } }`,
    [9, 0],
    failed,
  );
  wf.connect(participantsOk, 'Report group participants', 0);
  return wf.build();
}
