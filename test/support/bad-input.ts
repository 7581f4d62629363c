import { expect } from '@jest/globals';
import { sql, type TestApp } from './app.js';

const TABLES = ['whatsapp_sessions', 'outbox_commands', 'chats', 'messages'];

/** Every row a request could change, as it stands: compared before and after a refused request. */
export async function tablesSnapshot(t: TestApp): Promise<string> {
  const rows = await Promise.all(TABLES.map((table) => sql(t, `select * from ${table} order by 1`)));
  return JSON.stringify(rows);
}

/**
 * The errors of a request refused as BAD_USER_INPUT on `field`, and nothing else; `details` when
 * the error must also carry them (an id argument names the kind of object it takes).
 */
export const badInput = (field: string, details?: Record<string, unknown>) => [
  expect.objectContaining({
    extensions: details ? { code: 'BAD_USER_INPUT', field, details } : { code: 'BAD_USER_INPUT', field },
  }),
];
