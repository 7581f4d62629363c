import { newRowId } from '../database/row-ids.js';
import { type CommandPayloads, type CommandType } from './commands.js';
import { OutboxStatus } from './outbox-command.entity.js';

/**
 * The one definition of a new `outbox_commands` row: OutboxService.enqueue builds its entity from
 * it, and a hot-path statement that writes its command in the same statement as its effect (a
 * writable CTE: the message ingest) composes outboxCommandInsertSql with outboxCommandValues.
 * Whichever way it is written, a command is the same row: a ULID from the process's one factory
 * (ids sort in the order commands were written), PENDING, no attempts, due now.
 */

export interface CommandTarget {
  tenantId: string;
  /** The WAHA session name the command is about; commands of one session are delivered in order. */
  sessionId: string | null;
}

/** A command as its row is first written. */
export interface NewOutboxCommand<T extends CommandType = CommandType> {
  id: string;
  tenantId: string;
  type: T;
  sessionId: string | null;
  payload: CommandPayloads[T];
  status: typeof OutboxStatus.PENDING;
  attempts: 0;
  nextAttemptAt: Date;
  createdAt: Date;
}

export function newOutboxCommand<T extends CommandType>(
  type: T,
  target: CommandTarget,
  payload: CommandPayloads[T],
  now = new Date(),
): NewOutboxCommand<T> {
  return {
    id: newRowId(),
    tenantId: target.tenantId,
    type,
    sessionId: target.sessionId,
    payload,
    status: OutboxStatus.PENDING,
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
  };
}

/**
 * The INSERT of a command's row, for a statement that composes it (a writable CTE): one row per
 * `from` row (which may carry a `where` and placeholders of its own, after these), `?`
 * placeholders in the order of outboxCommandValues. No RETURNING: the statement adds one if it
 * wants it.
 */
export function outboxCommandInsertSql(from = ''): string {
  return `insert into outbox_commands (id, tenant_id, type, session_id, payload, status, attempts, next_attempt_at, created_at)
        select ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?${from ? ` from ${from}` : ''}`;
}

/** The values of outboxCommandInsertSql's placeholders; `null` for a statement that writes no command. */
export function outboxCommandValues(command: NewOutboxCommand | null): unknown[] {
  if (!command) return [...NO_COMMAND];
  return [
    command.id,
    command.tenantId,
    command.type,
    command.sessionId,
    JSON.stringify(command.payload),
    command.status,
    command.attempts,
    command.nextAttemptAt,
    command.createdAt,
  ];
}

const NO_COMMAND: readonly unknown[] = Array<unknown>(9).fill(null);
