import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/** A run of a workflow as n8n records it in its own database. */
export interface Execution {
  id: number;
  status: string;
  startedAt: number;
  stoppedAt: number | null;
  /** What the run did, as n8n keeps it (serialized): the nodes that ran and what each put out. */
  data: string;
}

/** n8n's SQLite stamps: UTC, `YYYY-MM-DD HH:MM:SS.SSS`. */
const n8nTime = (stamp: string | null): number | null =>
  stamp === null ? null : new Date(`${stamp.replace(' ', 'T')}Z`).getTime();

/**
 * The runs of `workflowId` for one session (its id is in the run's data: the envelope), read
 * from the database of the n8n whose user folder is `userFolder`; n8n keeps every run, running
 * or ended. Read-only, opened and closed per call, so it never holds a lock n8n waits on.
 */
export function n8nExecutions(userFolder: string, workflowId: string, sessionId: string): Execution[] {
  const db = new DatabaseSync(join(userFolder, '.n8n', 'database.sqlite'), { readOnly: true });
  try {
    const rows = db
      .prepare(
        `select e.id, e.status, e.startedAt, e.stoppedAt, d.data from execution_entity e
         join execution_data d on d.executionId = e.id
         where e.workflowId = ? and instr(d.data, ?) > 0 order by e.id`,
      )
      .all(workflowId, sessionId) as {
      id: number;
      status: string;
      startedAt: string;
      stoppedAt: string;
      data: string;
    }[];
    return rows.map((row) => ({
      id: row.id,
      status: row.status,
      startedAt: n8nTime(row.startedAt)!,
      stoppedAt: n8nTime(row.stoppedAt),
      data: row.data,
    }));
  } finally {
    db.close();
  }
}
