/** Node factories shared by the workflows, and the expressions and mutations they use. */
import { commandJs, writeBackFailedJs } from './js.js';
import { CREDENTIALS, credentialRef, WAHA_TIMEOUT_MS, WEBHOOK_PATH_PREFIX } from './names.js';
import { expr, stableUuid, type Workflow } from './workflow.js';

/** The validated envelope, as an n8n expression: the `Command` node's output. */
export const CMD = "$('Command').first().json";

export function intake(
  wf: Workflow,
  type: string,
  path: string,
  validatePayload = '',
): { command: string; webhook: string } {
  const webhook = wf.add(
    {
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2.1,
      webhookId: stableUuid(wf.id, 'webhook'),
      parameters: {
        httpMethod: 'POST',
        path: `${WEBHOOK_PATH_PREFIX}/${path}`,
        authentication: 'headerAuth',
        responseMode: 'responseNode',
        options: {},
      },
      credentials: { httpHeaderAuth: credentialRef(CREDENTIALS.webhookSecret) },
      notes: `POST /webhook/${WEBHOOK_PATH_PREFIX}/${path} with a ${type} CommandEnvelope (n8n/CONTRACT.md)`,
    },
    [0, 0],
  );
  const accept = wf.add(
    {
      name: 'Accept command',
      type: 'n8n-nodes-base.respondToWebhook',
      typeVersion: 1.5,
      parameters: {
        respondWith: 'json',
        responseBody: expr('{ accepted: true, commandId: $json.body.commandId ?? null }'),
        options: { responseCode: 202 },
      },
      notes:
        'Answers at once: the outbox only needs to know the command arrived; results go back through the internal API.',
    },
    [1, 0],
  );
  wf.connect(webhook, accept);
  const command = wf.add(
    {
      name: 'Command',
      type: 'n8n-nodes-base.code',
      typeVersion: 2,
      parameters: {
        mode: 'runOnceForAllItems',
        language: 'javaScript',
        jsCode: commandJs(type, validatePayload).trim() + '\n',
      },
    },
    [2, 0],
  );
  wf.connect(accept, command);
  return { command, webhook };
}

export interface WahaCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** An n8n expression body (without `={{ }}`) evaluating to the path after WAHA_URL, e.g. `'/api/sessions'`. */
  path: string;
  query?: Record<string, string>;
  /** Expression (without `={{ }}`) evaluating to the JSON body object. */
  body?: string;
}

export function waha(wf: Workflow, name: string, call: WahaCall, at: [number, number]): string {
  const parameters: Record<string, unknown> = {
    method: call.method,
    url: expr(`$env.WAHA_URL + ${call.path}`),
    authentication: 'genericCredentialType',
    genericAuthType: 'httpHeaderAuth',
  };
  if (call.query) {
    parameters['sendQuery'] = true;
    parameters['queryParameters'] = {
      parameters: Object.entries(call.query).map(([key, value]) => ({ name: key, value: expr(value) })),
    };
  }
  if (call.body) {
    parameters['sendBody'] = true;
    parameters['specifyBody'] = 'json';
    parameters['jsonBody'] = expr(`JSON.stringify(${call.body})`);
  }
  parameters['options'] = {
    timeout: WAHA_TIMEOUT_MS,
    response: { response: { fullResponse: true, neverError: true } },
  };
  return wf.add(
    {
      name,
      type: 'n8n-nodes-base.httpRequest',
      typeVersion: 4.5,
      parameters,
      credentials: { httpHeaderAuth: credentialRef(CREDENTIALS.wahaApiKey) },
      // A timeout or a refused connection comes out as an item too, classified by the next node.
      onError: 'continueRegularOutput',
    },
    at,
  );
}

export function code(wf: Workflow, name: string, jsCode: string, at: [number, number]): string {
  return wf.add(
    {
      name,
      type: 'n8n-nodes-base.code',
      typeVersion: 2,
      parameters: { mode: 'runOnceForAllItems', language: 'javaScript', jsCode: jsCode.trim() + '\n' },
    },
    at,
  );
}

/** Routes each item to output `$json.route`. */
export function router(wf: Workflow, name: string, outputs: number, at: [number, number]): string {
  return wf.add(
    {
      name,
      type: 'n8n-nodes-base.switch',
      typeVersion: 3.4,
      parameters: { mode: 'expression', numberOutputs: outputs, output: expr('$json.route') },
    },
    at,
  );
}

export function wait(wf: Workflow, name: string, seconds: number, at: [number, number]): string {
  return wf.add(
    {
      name,
      type: 'n8n-nodes-base.wait',
      typeVersion: 1.1,
      webhookId: stableUuid(wf.id, name, 'wait'),
      parameters: { amount: seconds, unit: 'seconds' },
    },
    at,
  );
}

/** A write-back to whatsapp-hub's internal GraphQL API; its error output goes to `failed`. */
export function writeBack(
  wf: Workflow,
  name: string,
  query: string,
  variables: string,
  at: [number, number],
  failed: string | null,
): string {
  const node = wf.add(
    {
      name,
      type: 'n8n-nodes-base.graphql',
      typeVersion: 1.1,
      parameters: {
        authentication: 'headerAuth',
        endpoint: expr('$env.WHATSAPP_HUB_INTERNAL_URL'),
        requestMethod: 'POST',
        requestFormat: 'json',
        query,
        variables: expr(variables),
        responseFormat: 'json',
      },
      credentials: { httpHeaderAuth: credentialRef(CREDENTIALS.internalKey) },
      onError: 'continueErrorOutput',
    },
    at,
  );
  if (failed) wf.connect(node, failed, 1);
  return node;
}

export function writeBackFailed(wf: Workflow, at: [number, number], js = writeBackFailedJs()): string {
  return code(wf, 'Write-back failed', js, at);
}

export const M = {
  sessionFailure:
    'mutation ReportSessionFailure($input: ReportSessionFailureInput!) {\n  reportSessionFailure(input: $input) {\n    __typename\n  }\n}',
  sessionStatus:
    'mutation ReportSessionStatus($input: ReportSessionStatusInput!) {\n  reportSessionStatus(input: $input) {\n    __typename\n  }\n}',
  qr: 'mutation ReportQr($input: ReportQrInput!) {\n  reportQr(input: $input) {\n    __typename\n  }\n}',
  pairingCode:
    'mutation ReportPairingCode($input: ReportPairingCodeInput!) {\n  reportPairingCode(input: $input) {\n    __typename\n  }\n}',
  sessionDeleted:
    'mutation ReportSessionDeleted($input: ReportSessionDeletedInput!) {\n  reportSessionDeleted(input: $input)\n}',
  messageSent:
    'mutation ReportMessageSent($input: ReportMessageSentInput!) {\n  reportMessageSent(input: $input) {\n    __typename\n  }\n}',
  messageFailed:
    'mutation ReportMessageFailed($input: ReportMessageFailedInput!) {\n  reportMessageFailed(input: $input) {\n    __typename\n  }\n}',
  upsertChats:
    'mutation UpsertChats($input: UpsertChatsInput!) {\n  upsertChats(input: $input) {\n    __typename\n  }\n}',
  upsertMessages:
    'mutation UpsertMessages($input: UpsertMessagesInput!) {\n  upsertMessages(input: $input) {\n    __typename\n  }\n}',
  reactionSent:
    'mutation ReportReactionSent($input: ReportReactionSentInput!) {\n  reportReactionSent(input: $input)\n}',
  groupParticipants:
    'mutation ReportGroupParticipants($input: ReportGroupParticipantsInput!) {\n  reportGroupParticipants(input: $input)\n}',
  contactIds:
    'mutation ReportContactIds($input: ReportContactIdsInput!) {\n  reportContactIds(input: $input)\n}',
  sessionLimits:
    'mutation ReportSessionLimits($input: ReportSessionLimitsInput!) {\n  reportSessionLimits(input: $input) {\n    __typename\n  }\n}',
};

export const SESSION_IDS = `sessionId: ${CMD}.sessionId, commandId: ${CMD}.commandId`;

/** The shared "Report session failure" node: its input item carries `failure` from a check node. */
export function sessionFailureNode(wf: Workflow, at: [number, number], failed: string): string {
  return writeBack(
    wf,
    'Report session failure',
    M.sessionFailure,
    `{ input: { ${SESSION_IDS}, reason: $json.failure.reason, wahaStatusCode: $json.failure.wahaStatusCode, ` +
      'wahaMessage: $json.failure.wahaMessage, status: $json.failure.status } }',
    at,
    failed,
  );
}

export const SESSION = `encodeURIComponent(${CMD}.sessionId)`;
