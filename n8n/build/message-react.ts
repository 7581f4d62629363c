/**
 * message.react: one WAHA call (`PUT /api/reaction`, WAHA's MessageReactionRequest; '' removes
 * the reaction), then `reportReactionSent`. A refusal is the session's last error: the
 * reaction is not a message of ours that could be marked FAILED.
 */
import { CMD, M, SESSION_IDS } from './nodes.js';
import { simpleSessionCommand } from './session-command.js';
import { type N8nWorkflow } from './workflow.js';

export function messageReact(): N8nWorkflow {
  return simpleSessionCommand({
    id: 'whHubMessageReact',
    type: 'message.react',
    path: 'message-react',
    step: 'PUT /api/reaction',
    call: {
      method: 'PUT',
      path: "'/api/reaction'",
      body: `{ session: ${CMD}.sessionId, messageId: ${CMD}.payload.messageId, reaction: ${CMD}.payload.reaction }`,
    },
    validatePayload: `if (typeof payload.messageId !== 'string' || payload.messageId === '') reject('payload.messageId is missing');
// An emoji, or '' to remove the reaction.
if (typeof payload.reaction !== 'string' || payload.reaction.length > 32) reject('payload.reaction must be an emoji or empty');`,
    report: {
      name: 'Report reaction sent',
      query: M.reactionSent,
      variables: `{ input: { ${SESSION_IDS}, messageId: ${CMD}.payload.messageId, reaction: ${CMD}.payload.reaction } }`,
    },
  });
}
