import { WAHA_RESULT_JS, writeBackFailedJs } from './js.js';
import { COMPOSE_MESSAGE_JS, MESSAGE_SEND_PAYLOAD_JS } from './message-send-js.js';
import { CMD, code, intake, M, router, SESSION, waha, writeBack, writeBackFailed } from './nodes.js';
import { type N8nWorkflow, Workflow } from './workflow.js';

export function messageSend(): N8nWorkflow {
  const wf = new Workflow('whHubMessageSend', 'whatsapp-hub: message.send');
  const { command } = intake(wf, 'message.send', 'message-send', MESSAGE_SEND_PAYLOAD_JS);
  const failed = writeBackFailed(
    wf,
    [11, 3],
    writeBackFailedJs(
      // Once WAHA took the message, it must not be reported failed: the session gets the error.
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
    [10, 3],
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

  const compose = code(wf, 'Compose message', COMPOSE_MESSAGE_JS, [9, 0]);
  wf.connect(routeSession, compose, 1);
  wf.connect(numberOk, compose, 0);
  // Never retried: a retry could send the message twice.
  const send = waha(wf, 'Send message', { method: 'POST', path: '$json.path', body: '$json.body' }, [10, 0]);
  wf.connect(compose, send);
  const checkSent = code(
    wf,
    'Check sent',
    `${WAHA_RESULT_JS}
const step = 'POST ' + $('Compose message').first().json.path;
const r = wahaResult($input.first().json, step);
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
    reason: 'WAHA ' + step + ' answered without a message id; the message may have been sent',
    wahaStatusCode: r.statusCode,
    wahaMessage: JSON.stringify(b).slice(0, 300),
  } } }];
}
return [{ json: { route: 0, wahaMessageId } }];
`,
    [11, 0],
  );
  wf.connect(send, checkSent);
  const sent = router(wf, 'Sent?', 2, [12, 0]);
  wf.connect(checkSent, sent);
  wf.connect(sent, reportFailed, 1);
  writeBack(
    wf,
    'Report message sent',
    M.messageSent,
    `{ input: { messageId: ${CMD}.payload.messageId, wahaMessageId: $json.wahaMessageId, commandId: ${CMD}.commandId } }`,
    [13, 0],
    failed,
  );
  wf.connect(sent, 'Report message sent', 0);
  return wf.build();
}
