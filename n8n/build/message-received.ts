import { CREDENTIALS, credentialRef, WEBHOOK_PATH_PREFIX } from './names.js';
import { expr, type N8nWorkflow, stableUuid, Workflow } from './workflow.js';

export function messageReceived(): N8nWorkflow {
  const wf = new Workflow('whHubMessageReceived', 'whatsapp-hub: message.received');
  const webhook = wf.add(
    {
      name: 'Webhook',
      type: 'n8n-nodes-base.webhook',
      typeVersion: 2.1,
      webhookId: stableUuid(wf.id, 'webhook'),
      parameters: {
        httpMethod: 'POST',
        path: `${WEBHOOK_PATH_PREFIX}/message-received`,
        authentication: 'headerAuth',
        responseMode: 'responseNode',
        options: {},
      },
      credentials: { httpHeaderAuth: credentialRef(CREDENTIALS.webhookSecret) },
      notes: `POST /webhook/${WEBHOOK_PATH_PREFIX}/message-received with a message.received CommandEnvelope`,
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
    },
    [1, 0],
  );
  wf.connect(webhook, accept);
  const start = wf.add(
    {
      name: 'Automations start here',
      type: 'n8n-nodes-base.noOp',
      typeVersion: 1,
      parameters: {},
      notes:
        'An inbound message ($json.body.payload: chatId, messageId, from, body, timestamp, hasMedia). Connect automations here.',
      notesInFlow: true,
    },
    [2, 0],
  );
  wf.connect(accept, start);
  return wf.build();
}
