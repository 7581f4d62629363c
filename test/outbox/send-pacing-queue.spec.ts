import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { TenantsService } from '../../src/tenants/tenants.service.js';
import { sql, startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { type FakeN8n, startFakeN8n } from '../support/fake-n8n.js';
import {
  arrivalsOf,
  dispatching,
  enqueue,
  expectSpacedAtLeast,
  metric,
  paceGaps,
  pacing,
  sendPayload,
} from './support/pacing.js';

const SYNC = { chatsLimit: 5, messagesLimit: 5 };

/**
 * What waits for a session's pace and what does not, retries, the dispatcher's wake-up and the
 * metrics. Commands are written straight into the outbox, as a domain service writes them: the
 * pace is the outbox's, whatever wrote the command.
 */
describe('the pace of a session’s queue', () => {
  let db: TestDatabase;
  let n8n: FakeN8n;
  let t: TestApp | undefined;

  async function start(env: Record<string, string>) {
    t = await startTestApp(dispatching(n8n, env), db);
    return t;
  }
  async function tenantId(app: TestApp, slug: string) {
    return (await app.app.get(TenantsService).ensure(slug)).id;
  }

  beforeEach(async () => {
    db = await createTestDatabase();
    n8n = await startFakeN8n();
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await n8n.close();
    await db.drop();
  });

  it("holds a session's later commands behind a held send, but never another session's, nor a command that is not a send", async () => {
    const app = await start(pacing(60_000));
    const s = { tenantId: await tenantId(app, 'pace-held'), sessionId: 'pace_held_s' };
    const other = { tenantId: await tenantId(app, 'pace-other'), sessionId: 'pace_other_s' };

    await enqueue(app, 'message.send', s, sendPayload('first'));
    await n8n.waitFor(() => arrivalsOf(n8n, s.sessionId).length === 1);
    // The session's next send is a minute away; a sync is not a send, so it goes now.
    await enqueue(app, 'chats.sync', s, SYNC);
    await n8n.waitFor(() => arrivalsOf(n8n, s.sessionId, 'chats.sync').length === 1);

    const held = await enqueue(app, 'message.send', s, sendPayload('second'));
    await enqueue(app, 'message.react', s, { messageId: 'true_x_1', reaction: '👍' });
    // Written after the held send: delivered after it, to keep the session's order.
    const behind = await enqueue(app, 'chats.sync', s, SYNC);
    // Another tenant's session, written last, is not held by this one's pace.
    await enqueue(app, 'message.send', other, sendPayload('elsewhere'));
    await n8n.waitFor(() => arrivalsOf(n8n, other.sessionId).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(arrivalsOf(n8n, s.sessionId).map((r) => r.body.type)).toEqual(['message.send', 'chats.sync']);
    const waiting = await sql<{ id: string }>(
      app,
      `select id from outbox_commands where session_id = ? and status = 'PENDING' order by id`,
      [s.sessionId],
    );
    expect(waiting.map((row) => row.id)).toEqual([held, expect.any(String), behind]);

    // The queue in the metrics, summed over sessions: two sends wait, in one session, held.
    expect(await metric(app, 'whatsapp_hub_send_pacing_sessions')).toBe(1);
    expect(await metric(app, 'whatsapp_hub_send_pacing_queued')).toBe(2);
    expect(await metric(app, 'whatsapp_hub_send_pacing_longest_queue')).toBe(2);
    expect(await metric(app, 'whatsapp_hub_send_pacing_held_sessions')).toBe(1);
    const scraped = await (await fetch(`${app.url}/metrics`)).text();
    expect(scraped).not.toContain(s.sessionId);
    expect(scraped).not.toContain(other.sessionId);
  });

  it('counts a failed attempt as a send: its retry waits for the pace, and the pace is one gap, never two', async () => {
    n8n.failNext(1, 503);
    // Backoff (about 20 ms) far shorter than the pace: what spaces the retry is the pace.
    const app = await start(pacing(150, { OUTBOX_BASE_BACKOFF_MS: '20' }));
    const s = { tenantId: await tenantId(app, 'pace-retry'), sessionId: 'pace_retry_s' };
    const first = await enqueue(app, 'message.send', s, sendPayload('retried'));
    const second = await enqueue(app, 'message.send', s, sendPayload('after'));

    await n8n.waitFor(() => arrivalsOf(n8n, s.sessionId).length === 3);
    const arrivals = arrivalsOf(n8n, s.sessionId);
    expect(arrivals.map((r) => [r.body.commandId, r.body.attempt])).toEqual([
      [first, 1],
      [first, 2],
      [second, 1],
    ]);
    expectSpacedAtLeast(arrivals, 150);
    expect(await paceGaps(app)).toEqual({ [s.sessionId]: 150 });
  });

  it('keeps the pace a replica set after it is gone: the next replica waits for it', async () => {
    const first = await start(pacing(3000));
    const s = { tenantId: await tenantId(first, 'pace-takeover'), sessionId: 'pace_takeover_s' };
    await enqueue(first, 'message.send', s, sendPayload('before'));
    await n8n.waitFor(() => arrivalsOf(n8n, s.sessionId).length === 1);
    await first.close();
    // Written once the replica that paced it is gone: only the database knows the pace now.
    const next = await start(pacing(3000));
    await enqueue(next, 'message.send', s, sendPayload('after'));
    await n8n.waitFor(() => arrivalsOf(n8n, s.sessionId).length === 2);
    expectSpacedAtLeast(arrivalsOf(n8n, s.sessionId), 3000);
  });

  it('wakes when the next paced send is due, not at its next poll', async () => {
    // A poll a minute apart: only the wake-up at the pace's end can deliver the rest in time.
    const app = await start(pacing(50, { OUTBOX_POLL_INTERVAL_MS: '60000' }));
    const s = { tenantId: await tenantId(app, 'pace-wake'), sessionId: 'pace_wake_s' };
    for (let i = 0; i < 5; i += 1) await enqueue(app, 'message.send', s, sendPayload(`wake ${i}`));
    await n8n.waitFor(() => arrivalsOf(n8n, s.sessionId).length === 5, 20_000);
    expectSpacedAtLeast(arrivalsOf(n8n, s.sessionId), 50);
  });

  it('changes nothing when off (SEND_PACING_INTERVAL_MS=0): no pace is kept and nothing is held', async () => {
    const app = await start(pacing(0));
    const s = { tenantId: await tenantId(app, 'pace-off'), sessionId: 'pace_off_s' };
    for (let i = 0; i < 5; i += 1) await enqueue(app, 'message.send', s, sendPayload(`off ${i}`));
    await n8n.waitFor(() => arrivalsOf(n8n, s.sessionId).length === 5);
    expect(arrivalsOf(n8n, s.sessionId).map((r) => r.body.payload['text'])).toEqual(
      Array.from({ length: 5 }, (_, i) => `off ${i}`),
    );
    expect(await paceGaps(app)).toEqual({});
    expect(await metric(app, 'whatsapp_hub_send_pacing_delay_seconds_count')).toBe(0);
  });
});
