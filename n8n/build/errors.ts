import { CREDENTIALS, credentialRef, ERROR_WORKFLOW_ID } from './names.js';
import { code, M, router } from './nodes.js';
import { expr, type N8nWorkflow, Workflow } from './workflow.js';

export function errorWorkflow(): N8nWorkflow {
  const wf = new Workflow(ERROR_WORKFLOW_ID, 'whatsapp-hub: errors');
  const trigger = wf.add(
    {
      name: 'Error Trigger',
      type: 'n8n-nodes-base.errorTrigger',
      typeVersion: 1,
      parameters: {},
      notes: 'Runs when a whatsapp-hub workflow fails (their settings name this workflow as errorWorkflow).',
    },
    [0, 0],
  );
  const attribute = code(
    wf,
    'Attribute the failure',
    `const data = $input.first().json;
const error = (data.execution && data.execution.error) || (data.trigger && data.trigger.error) || {};
const text = [error.message, error.description].filter((part) => typeof part === 'string').join(' ');
// Failures the workflows could tie to a session or message carry [whatsapp-hub session=… command=… message=…].
const match = /\\[whatsapp-hub ([^\\]]*)\\]\\s*([\\s\\S]*)/.exec(text);
if (!match) return [];
const tags = {};
for (const pair of match[1].trim().split(/\\s+/)) {
  const at = pair.indexOf('=');
  const value = at > 0 ? pair.slice(at + 1) : '';
  if (value !== '' && value !== '-') tags[pair.slice(0, at)] = value;
}
const where = data.execution && data.execution.lastNodeExecuted ? ' at "' + data.execution.lastNodeExecuted + '"' : '';
const reason = ('n8n workflow "' + (data.workflow && data.workflow.name) + '" failed' + where + ': ' +
  match[2].replace(/\\s*\\[line \\d+\\]\\s*$/, '').trim()).slice(0, 1500);
const commandId = tags.command || null;
if (tags.message) return [{ json: { route: 1, variables: { input: { messageId: tags.message, commandId, reason } } } }];
if (tags.session) return [{ json: { route: 0, variables: { input: { sessionId: tags.session, commandId, reason } } } }];
return [];
`,
    [1, 0],
  );
  wf.connect(trigger, attribute);
  const route = router(wf, 'Session or message?', 2, [2, 0]);
  wf.connect(attribute, route);
  for (const [index, name, query] of [
    [0, 'Report session failure', M.sessionFailure],
    [1, 'Report message failed', M.messageFailed],
  ] as const) {
    wf.add(
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
          variables: expr('$json.variables'),
          responseFormat: 'json',
        },
        credentials: { httpHeaderAuth: credentialRef(CREDENTIALS.internalKey) },
        // Retried: the failure it reports is often whatsapp-hub having been unreachable a moment ago.
        retryOnFail: true,
        maxTries: 5,
        waitBetweenTries: 5000,
      },
      [3, index],
    );
    wf.connect(route, name, index);
  }
  return wf.build();
}
