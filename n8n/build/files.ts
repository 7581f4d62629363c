/**
 * The source of `n8n/workflows/*.json` and `n8n/credentials.json`: one n8n workflow per command
 * of n8n/CONTRACT.md, plus the error workflow, one builder file per workflow. The JSON files are
 * generated from here and checked in (n8n imports them as they are);
 * `test/n8n/generated.spec.ts` fails when they drift. Regenerate with `npm run n8n:workflows`.
 *
 * How every workflow is shaped:
 * - a Webhook node (header auth `X-Whatsapp-Hub-Secret`) answered at once by a Respond node (202),
 *   then a `Command` Code node that validates the envelope (the session id goes into WAHA URLs);
 * - every WAHA call is an HTTP Request with an explicit timeout, the full response and "never
 *   error", and "continue on fail", so a 4xx/5xx, a timeout or a refused connection all come out
 *   as an item; a Code node after it classifies that item and a Switch routes it, so every WAHA
 *   failure ends in `reportSessionFailure` (or `reportMessageFailed`) with WAHA's status and message;
 * - every write-back (GraphQL node) has an error output; a write-back that fails throws an error
 *   tagged `[whatsapp-hub session=… command=… message=…]`, which the error workflow reads to
 *   report the failure against the right session or message.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

import { chatsSync } from './chats-sync.js';
import { contactLookup } from './contact-lookup.js';
import { errorWorkflow } from './errors.js';
import { groupParticipants } from './group-participants.js';
import { messageReact } from './message-react.js';
import { messageReceived } from './message-received.js';
import { messageSend } from './message-send.js';
import { CREDENTIALS } from './names.js';
import { sessionAction, sessionDelete } from './session-actions.js';
import { sessionCreate } from './session-create.js';
import { sessionFetchQr } from './session-fetch-qr.js';
import { sessionLimits } from './session-limits.js';
import { sessionRequestCode } from './session-request-code.js';
import { type N8nWorkflow } from './workflow.js';

export interface WorkflowFile {
  file: string;
  workflow: N8nWorkflow;
}

export function buildWorkflows(): WorkflowFile[] {
  return [
    { file: 'session-create.json', workflow: sessionCreate() },
    { file: 'session-fetch-qr.json', workflow: sessionFetchQr() },
    { file: 'session-request-code.json', workflow: sessionRequestCode() },
    { file: 'session-stop.json', workflow: sessionAction('stop', 'whHubSessionStop', 'STOPPED') },
    { file: 'session-restart.json', workflow: sessionAction('restart', 'whHubSessionRestart', 'STARTING') },
    { file: 'session-logout.json', workflow: sessionAction('logout', 'whHubSessionLogout', 'STARTING') },
    { file: 'session-delete.json', workflow: sessionDelete() },
    { file: 'session-limits.json', workflow: sessionLimits() },
    { file: 'message-send.json', workflow: messageSend() },
    { file: 'message-react.json', workflow: messageReact() },
    { file: 'group-participants.json', workflow: groupParticipants() },
    { file: 'contact-lookup.json', workflow: contactLookup() },
    { file: 'chats-sync.json', workflow: chatsSync() },
    { file: 'message-received.json', workflow: messageReceived() },
    { file: 'errors.json', workflow: errorWorkflow() },
  ];
}

export function buildCredentials(): unknown[] {
  return Object.values(CREDENTIALS).map((credential) => ({ ...credential }));
}

/** The files exactly as they are committed: formatted by the repo's prettier, as `npm run check` wants. */
export async function renderFiles(): Promise<Record<string, string>> {
  const options = {
    ...(await prettier.resolveConfig(join(repoN8nDir(), 'credentials.json'))),
    parser: 'json',
  };
  const files: Record<string, string> = {};
  for (const { file, workflow } of buildWorkflows())
    files[`workflows/${file}`] = await prettier.format(JSON.stringify(workflow), options);
  files['credentials.json'] = await prettier.format(JSON.stringify(buildCredentials()), options);
  return files;
}

/** The repo's n8n/ folder: found by walking up, so this works from n8n/build/ and from dist/n8n/build/. */
export function repoN8nDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'n8n', 'workflows'))) return join(dir, 'n8n');
    if (dirname(dir) === dir) throw new Error('n8n/build: no n8n/workflows above this module');
  }
}
