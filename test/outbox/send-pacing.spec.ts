import { afterEach, describe, expect, it } from '@jest/globals';
import { sendOut, commandsOf } from '../chats/support/outbound-api.js';
import { sql, startTestApp, type TestApp } from '../support/app.js';
import { type FakeN8n, startFakeN8n } from '../support/fake-n8n.js';
import { type LinkedSessionFixture, startLinkedSession } from '../support/linked-session.js';
import { arrivalsOf, dispatching, expectSpacedAtLeast, metric, paceGaps, pacing } from './support/pacing.js';

const CUSTOMER = '4917000000900@c.us';
const DELAY = 'whatsapp_hub_send_pacing_delay_seconds';

describe("a session's sends, paced on their way to n8n", () => {
  let n8n: FakeN8n;
  let f: LinkedSessionFixture | undefined;
  const replicas: TestApp[] = [];

  afterEach(async () => {
    // The replicas share the fixture's database: closed before it is dropped.
    await Promise.all(replicas.splice(0).map((replica) => replica.close()));
    await f?.close();
    f = undefined;
    await n8n.close();
  });

  it("sends a burst of 100 paced, in order and once each, across two replicas, while another tenant's session is not held", async () => {
    n8n = await startFakeN8n();
    const pace = pacing(40, { SEND_PACING_JITTER_MS: '5' });
    // The burst is written whole before anything is delivered, so nothing but the pace spaces it.
    f = await startLinkedSession({ tenant: 'pace-a', env: { ...pace, N8N_BASE_URL: n8n.url } });
    const a = f.session;
    const b = await f.link('pace-b');
    for (let i = 0; i < 100; i += 1) {
      const sent = await sendOut(f.t, a, { to: CUSTOMER, text: `burst ${i}` });
      expect(sent.errors).toBeUndefined();
    }
    expect((await sendOut(f.t, b, { to: CUSTOMER, text: 'written last' })).errors).toBeUndefined();
    const written = (await commandsOf(f.t, a, 'message.send')).map((c) => c.id);
    expect(written).toHaveLength(100);

    replicas.push(
      ...(await Promise.all([
        startTestApp(dispatching(n8n, pace), f.t.db),
        startTestApp(dispatching(n8n, pace), f.t.db),
      ])),
    );
    await n8n.waitFor((r) => r.filter((c) => c.body.type === 'message.send').length >= 101);
    // Time for a second delivery of any command to show up.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const burst = arrivalsOf(n8n, a.id, 'message.send');
    expect(burst.map((r) => r.body.commandId)).toEqual(written);
    expect(burst.map((r) => r.body.payload['text'])).toEqual(
      Array.from({ length: 100 }, (_, i) => `burst ${i}`),
    );
    expect(burst.map((r) => r.body.attempt)).toEqual(Array<number>(100).fill(1));
    expectSpacedAtLeast(burst, 40);
    const [other] = arrivalsOf(n8n, b.id, 'message.send');
    expect(arrivalsOf(n8n, b.id, 'message.send')).toHaveLength(1);
    expect(other!.at).toBeLessThan(burst[99]!.at);

    // Every paced send was measured once, on whichever replica claimed it; the burst's 99
    // followers were each held one whole gap (they were written long before their turn).
    const counts = await Promise.all(replicas.map((replica) => metric(replica, `${DELAY}_count`)));
    const sums = await Promise.all(replicas.map((replica) => metric(replica, `${DELAY}_sum`)));
    expect(counts.reduce((x, y) => x + y)).toBe(101);
    expect(sums.reduce((x, y) => x + y)).toBeGreaterThanOrEqual(99 * 0.04);
    const undelivered = await sql(
      f.t,
      `select id from outbox_commands where type = 'message.send' and status <> 'DELIVERED'`,
    );
    expect(undelivered).toEqual([]);
  });

  it('sends slower from a newly linked number: the interval times the day’s warm-up factor, then the interval itself', async () => {
    n8n = await startFakeN8n();
    const pace = pacing(25, { SEND_PACING_WARMUP: '4,2' });
    f = await startLinkedSession({ tenant: 'warm-new', env: dispatching(n8n, pace) });
    const today = f.session;
    const yesterday = await f.link('warm-day-one');
    const longAgo = await f.link('warm-old');
    await sql(f.t, `update whatsapp_sessions set linked_at = now() - interval '25 hours' where id = ?`, [
      yesterday.id,
    ]);
    await sql(f.t, `update whatsapp_sessions set linked_at = now() - interval '400 days' where id = ?`, [
      longAgo.id,
    ]);

    for (let i = 0; i < 3; i += 1) {
      for (const session of [today, yesterday, longAgo]) {
        expect((await sendOut(f.t, session, { to: CUSTOMER, text: `warm ${i}` })).errors).toBeUndefined();
      }
    }
    await n8n.waitFor((r) => r.filter((c) => c.body.type === 'message.send').length >= 9);

    expectSpacedAtLeast(arrivalsOf(n8n, today.id, 'message.send'), 100);
    expectSpacedAtLeast(arrivalsOf(n8n, yesterday.id, 'message.send'), 50);
    expectSpacedAtLeast(arrivalsOf(n8n, longAgo.id, 'message.send'), 25);
    // The gap each set is exact (no jitter here): day 0 × 4, day 1 × 2, past the schedule × 1.
    expect(await paceGaps(f.t)).toEqual({ [today.id]: 100, [yesterday.id]: 50, [longAgo.id]: 25 });
  });
});
