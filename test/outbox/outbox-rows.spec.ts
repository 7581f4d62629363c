import { describe, expect, it } from '@jest/globals';
import { CommandType } from '../../src/outbox/commands.js';
import { OutboxStatus } from '../../src/outbox/outbox-command.entity.js';
import {
  newOutboxCommand,
  outboxCommandInsertSql,
  outboxCommandValues,
} from '../../src/outbox/outbox-rows.js';

const target = { tenantId: 'tenant-1', sessionId: 'ws_one' };
const payload = { chatsLimit: 20, messagesLimit: 20 };

describe('the one definition of a new outbox row', () => {
  it('is PENDING, not yet attempted, due when written, under a ULID that sorts in writing order', () => {
    const now = new Date('2026-01-02T03:04:05.678Z');
    const first = newOutboxCommand(CommandType.CHATS_SYNC, target, payload, now);
    const second = newOutboxCommand(CommandType.CHATS_SYNC, target, payload, now);
    expect(first).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      tenantId: 'tenant-1',
      type: 'chats.sync',
      sessionId: 'ws_one',
      payload,
      status: OutboxStatus.PENDING,
      attempts: 0,
      nextAttemptAt: now,
      createdAt: now,
    });
    expect(second.id > first.id).toBe(true);
  });

  it('gives the composed INSERT one value per placeholder, in its column order', () => {
    const command = newOutboxCommand(CommandType.CHATS_SYNC, target, payload);
    const sql = outboxCommandInsertSql();
    const columns = /\(([^)]*)\)/
      .exec(sql)![1]!
      .split(',')
      .map((column) => column.trim());
    const values = outboxCommandValues(command);
    expect(sql.match(/\?/g)).toHaveLength(values.length);
    expect(Object.fromEntries(columns.map((column, i) => [column, values[i]]))).toEqual({
      id: command.id,
      tenant_id: 'tenant-1',
      type: 'chats.sync',
      session_id: 'ws_one',
      payload: JSON.stringify(payload),
      status: 'PENDING',
      attempts: 0,
      next_attempt_at: command.nextAttemptAt,
      created_at: command.createdAt,
    });
    // A statement that writes no command still fills every placeholder.
    expect(outboxCommandValues(null)).toEqual(Array(values.length).fill(null));
  });

  it('composes with the statement’s own `from`, whose placeholders come after its own', () => {
    expect(outboxCommandInsertSql('msg where msg.inserted and ?::boolean')).toMatch(
      /select \?, \?, \?, \?, \?::jsonb, \?, \?, \?, \? from msg where msg\.inserted and \?::boolean$/,
    );
  });
});
