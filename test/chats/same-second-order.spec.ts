/**
 * Messages of one second, delivered out of order. WAHA gives a message's time in whole seconds
 * and delivers webhooks concurrently and unordered; its envelope's millisecond stamp is the
 * order it saw them in (withEventMilliseconds). Before, the message stored last was shown as
 * the newer one and became the chat's last message.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { messageOf, withEventMilliseconds } from '../../src/waha/waha-message.js';
import { sql } from '../support/app.js';
import { inboundMessage, type LinkedSessionFixture, startLinkedSession } from '../support/linked-session.js';
import { shownChats, shownMessages } from './support/inbound-fixture.js';

describe('messages of one second keep the order WAHA saw them in', () => {
  let f: LinkedSessionFixture;

  beforeAll(async () => {
    f = await startLinkedSession({ tenant: 'same-second-co' });
  });
  afterAll(async () => {
    await f?.close();
  });

  it('lists them by the events’ milliseconds and keeps the later one as the chat’s last message, whatever the arrival order', async () => {
    const from = '4917000000901@c.us';
    const second = Math.floor(Date.now() / 1000) - 60;
    const first = inboundMessage(f.session, from, 'first', second);
    const later = inboundMessage(f.session, from, 'later', second);
    const last = inboundMessage(f.session, from, 'last', second);
    // The last one arrives first, the first one last.
    for (const [message, ms] of [
      [last, 900],
      [later, 500],
      [first, 100],
    ] as const) {
      const delivered = await f.deliver('message', message, { timestamp: second * 1000 + ms });
      expect(delivered).toMatchObject({ status: 200, body: { status: 'stored' } });
    }
    const shown = await shownMessages(f.t, f.session, from);
    expect(shown.map((m) => m.body)).toEqual(['first', 'later', 'last']);
    const [chat] = (await shownChats(f.t, f.session)).filter((c) => c.chatId === from);
    expect(chat?.lastMessage?.wahaId).toBe(last.id);
  });

  it('keeps the whole second when the event is from another second (a late delivery), and a redelivery changes nothing', async () => {
    const from = '4917000000902@c.us';
    const second = Math.floor(Date.now() / 1000) - 30;
    const late = inboundMessage(f.session, from, 'late', second);
    const id = `evt_late_${second}`;
    const event = { id, timestamp: (second + 5) * 1000 + 250 };
    expect((await f.deliver('message', late, event)).body).toMatchObject({ status: 'stored' });
    expect((await f.deliver('message', late, event)).body).toMatchObject({ status: 'duplicate' });
    const rows = await sql<{ timestamp: string | Date }>(
      f.t,
      `select "timestamp" from messages where waha_id = ?`,
      [late.id],
    );
    expect(rows.map((row) => new Date(row.timestamp).getTime())).toEqual([second * 1000]);
  });
});

describe('withEventMilliseconds', () => {
  const at = (ms: number) => new Date(ms);
  const message = (seconds: number) => {
    const parsed = messageOf(
      { id: 'false_1@c.us_A', from: '1@c.us', to: '2@c.us', fromMe: false, timestamp: seconds },
      0,
    );
    if (typeof parsed === 'string') throw new Error(parsed);
    return parsed;
  };

  it('takes the event’s milliseconds only within the message’s own second', () => {
    const s = 1_780_000_000;
    expect(withEventMilliseconds(message(s), at(s * 1000 + 1)).timestamp).toEqual(at(s * 1000 + 1));
    expect(withEventMilliseconds(message(s), at(s * 1000 + 999)).timestamp).toEqual(at(s * 1000 + 999));
    for (const other of [s * 1000, s * 1000 + 1000, s * 1000 - 1, (s + 60) * 1000 + 5]) {
      expect(withEventMilliseconds(message(s), at(other)).timestamp).toEqual(at(s * 1000));
    }
  });

  it('leaves a time that already has milliseconds alone', () => {
    const withMs = { ...message(1_780_000_000), timestamp: at(1_780_000_000_123) };
    expect(withEventMilliseconds(withMs, at(1_780_000_000_500))).toBe(withMs);
  });
});
