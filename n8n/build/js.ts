/**
 * JavaScript run by the Code nodes (n8n's task runner). Plain strings: no build-time interpolation
 * beyond the step names and limits the builders pass in.
 */

/** Classifies an HTTP Request item (full response, never error, continue on fail). */
export const WAHA_RESULT_JS = `
const WAHA_STATUSES = ['STOPPED', 'STARTING', 'SCAN_QR_CODE', 'PASSKEY_REQUIRED', 'PASSKEY_CONFIRMATION_REQUIRED', 'WORKING', 'FAILED'];
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
export function checkJs(step: string, okWhen = 'r.ok'): string {
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
export function writeBackFailedJs(
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

export function commandJs(type: string, validatePayload: string): string {
  // Only message.send's payload.messageId is one of our messages (the error workflow then fails
  // that message); message.react's is WAHA's id of the message reacted to, so it is not a tag.
  const messageTag =
    type === 'message.send'
      ? "' message=' + (typeof payload.messageId === 'string' ? payload.messageId : '-') + ']'"
      : "' message=-]'";
  return `
const EXPECTED_TYPE = ${JSON.stringify(type)};
const body = $input.first().json.body;
const envelope = body !== null && typeof body === 'object' ? body : {};
const payload = envelope.payload !== null && typeof envelope.payload === 'object' ? envelope.payload : {};
function reject(why) {
  // Tagged, so the error workflow can report it against the session (or message) it names.
  const tag = '[whatsapp-hub session=' + (typeof envelope.sessionId === 'string' ? envelope.sessionId : '-') +
    ' command=' + (typeof envelope.commandId === 'string' ? envelope.commandId : '-') +
    ${messageTag};
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
