import { validIdArgument } from '../common/input-checks.js';

/**
 * The ids an n8n report carries in its `input`, judged before anything is looked up: a
 * session id or command id that no row can have (a NUL, another control character, a broken
 * surrogate, over 200 characters) is BAD_USER_INPUT on its field, not a query PostgreSQL
 * fails (INTERNAL_SERVER_ERROR, which n8n retries) nor a NOT_FOUND that hides a broken
 * workflow. `commandId` is judged even where the report does not use it: n8n echoes the
 * outbox command's id, and anything else means the workflow is wrong. A message id is the
 * message store's to judge (reportSent, reportFailed).
 */
export function checkReportIds(input: { sessionId?: string; commandId?: string | null }): void {
  if (input.sessionId !== undefined) validIdArgument(input.sessionId, 'input.sessionId');
  if (input.commandId !== null && input.commandId !== undefined) {
    validIdArgument(input.commandId, 'input.commandId');
  }
}
