import { describe, expect, it } from '@jest/globals';
import { ackAdvances, ackAdvancesSql } from '../../src/chats/delivery-status.js';
import { Ack } from '../../src/waha/acks.js';
import { withAdminConnection } from '../../src/database/databases.js';
import { TEST_SERVER_URL } from '../support/env.js';

/** Every ack WAHA sends, ERROR -1 to PLAYED 4. */
const ACKS = [-1, 0, 1, 2, 3, 4] as const;

/**
 * Which ack may replace which, written out: row = the stored ack, column = the arriving one
 * (ERROR, PENDING, SERVER, DEVICE, READ, PLAYED). Acks only move forward; ERROR replaces only
 * PENDING (a message WAHA already took is not failed by a late error).
 */
const ADVANCES: Record<(typeof ACKS)[number], string> = {
  [-1]: '.XXXXX',
  0: 'X.XXXX',
  1: '...XXX',
  2: '....XX',
  3: '.....X',
  4: '......',
};

const pairs = ACKS.flatMap((current) => ACKS.map((next) => [current, next] as const));

describe('which acks advance', () => {
  it.each(pairs)('stored %i, arriving %i', (current, next) => {
    expect(ackAdvances(current, next)).toBe(ADVANCES[current][ACKS.indexOf(next)] === 'X');
  });

  it('never moves READ back to SERVER or DEVICE (WAHA does not keep order)', () => {
    expect(ackAdvances(Ack.READ, Ack.SERVER)).toBe(false);
    expect(ackAdvances(Ack.READ, Ack.DEVICE)).toBe(false);
    expect(ackAdvances(Ack.READ, Ack.READ)).toBe(false);
    expect(ackAdvances(Ack.READ, Ack.PLAYED)).toBe(true);
  });

  it('fails only a PENDING message, and lets a failed one be sent after all', () => {
    expect(ackAdvances(Ack.PENDING, Ack.ERROR)).toBe(true);
    expect(ackAdvances(Ack.SERVER, Ack.ERROR)).toBe(false);
    expect(ackAdvances(Ack.ERROR, Ack.ERROR)).toBe(false);
    expect(ackAdvances(Ack.ERROR, Ack.SERVER)).toBe(true);
  });

  it('says the same in SQL as in TypeScript, for every pair (one select)', async () => {
    const rows = (await withAdminConnection(TEST_SERVER_URL, (execute) =>
      execute(
        `select c::int as current, n::int as next, ${ackAdvancesSql('c::smallint', 'n::smallint')} as advances
        from generate_series(-1, 4) c, generate_series(-1, 4) n order by c, n`,
      ),
    )) as { current: number; next: number; advances: boolean }[];
    expect(rows).toHaveLength(pairs.length);
    expect(rows).toEqual(
      pairs.map(([current, next]) => ({ current, next, advances: ackAdvances(current, next) })),
    );
  });
});
