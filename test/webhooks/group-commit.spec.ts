import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql, type TestApp } from '../support/app.js';
import {
  hmacKeyOf,
  type LinkedSession,
  startLinkedSession,
  webhooksSettled,
} from '../support/linked-session.js';
import { type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';
import {
  batchFigures,
  holdMessageLock,
  messageLockWaiters,
  queued,
  terminateLockWaiters,
} from './support/group-commit-gates.js';
import {
  type Answer,
  GLOBAL_KEY,
  MAX_BODY,
  type WebhookFixture,
  webhookPosts,
} from './support/webhook-posts.js';

/**
 * Group commit (MessageBatcher, MessageIngestService.storeBatch): webhook messages that arrive
 * together share one transaction. With one batch lane, a lone event whose message lock the test
 * holds keeps the lane busy while the next events queue (the queue gauge says when they are all
 * there); releasing it lets exactly those events go as one batch. The batch metrics prove it.
 */
describe('POST /webhooks/waha: messages that arrive together are committed together', () => {
  let f: WebhookFixture;
  let t: TestApp;
  let sim: WahaSimulator;
  let session: LinkedSession;
  const { inboundEvent, post, signed, counts } = webhookPosts(() => f);

  beforeAll(async () => {
    const linked = await startLinkedSession({
      tenant: 'group-commit-co',
      env: {
        WEBHOOK_GLOBAL_HMAC_KEY: GLOBAL_KEY,
        WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY),
        WEBHOOK_BATCH_LANES: '1',
      },
    });
    f = { ...linked, key: await hmacKeyOf(linked.t, linked.session.id) };
    ({ t, sim, session } = f);
  });
  afterAll(async () => {
    await f?.close();
  });

  type Event = ReturnType<typeof inboundEvent>;
  const send = (event: Event): Promise<Answer> => {
    const body = JSON.stringify(event);
    return post(body, signed(body));
  };

  /**
   * A batch of `events`, in that order: a lone gate event holds the one lane (its lock is the
   * test's) while they queue one after the other. `hooks.queued` runs with all of them queued,
   * `hooks.running` once the gate is released (the batch on its way).
   */
  async function asOneBatch(
    events: Event[],
    hooks: { queued?: () => Promise<void>; running?: () => Promise<void> } = {},
  ): Promise<{ gate: Answer; answers: Answer[] }> {
    await webhooksSettled(sim, session.id);
    const gate = inboundEvent({ from: `49171${String(Date.now()).slice(-8)}@c.us` });
    const lock = await holdMessageLock(t, gate.payload.id);
    const gateAnswer = send(gate);
    await messageLockWaiters(t, 1);
    const answers: Promise<Answer>[] = [];
    for (const [i, event] of events.entries()) {
      answers.push(send(event));
      await queued(t, i + 1);
    }
    await hooks.queued?.();
    await lock.release();
    // The gate answered first: until its statement is done, its backend may still show as waiting
    // for a message lock, and a hook that looks for the batch's wait (or ends it) would find the gate's.
    const gateDone = await gateAnswer;
    expect(gateDone.status).toBe(200);
    await hooks.running?.();
    return { gate: gateDone, answers: await Promise.all(answers) };
  }

  const messageOf = async (wahaId: string) =>
    (
      await sql<{ body: string; ack: number; chat_id: string }>(
        t,
        `select m.body, m.ack, c.chat_id from messages m join chats c on c.id = m.chat_id
          where m.session_id = ? and m.waha_id = ?`,
        [session.id, wahaId],
      )
    )[0];

  it('answers a failing event non-2xx and stores its neighbours in the same batch, each once', async () => {
    // A real failure inside the batch's transaction: a trigger of this spec's own database.
    await sql(
      t,
      `create function group_commit_refuse() returns trigger language plpgsql as $$
        begin if new.body = 'refuse me' then raise exception 'refused by the group-commit spec'; end if; return new; end $$`,
    );
    await sql(
      t,
      `create trigger group_commit_refuse before insert on messages for each row execute function group_commit_refuse()`,
    );
    const a = '4917200000001@c.us';
    const [a1, bad, c1, a2] = [
      inboundEvent({ from: a, body: 'First of A' }),
      inboundEvent({ from: '4917200000002@c.us', body: 'refuse me' }),
      inboundEvent({ from: '4917200000003@c.us', body: 'First of C' }),
      inboundEvent({ from: a, body: 'Second of A' }),
    ];
    try {
      const before = await counts();
      const figures = await batchFigures(t);
      const { gate, answers } = await asOneBatch([a1!, bad!, c1!, a2!]);

      expect(
        [gate, ...answers].map((answer) => [answer.status, answer.body.status ?? answer.body.error?.code]),
      ).toEqual([
        [200, 'stored'],
        [200, 'stored'],
        [500, 'INTERNAL_SERVER_ERROR'],
        [200, 'stored'],
        [200, 'stored'],
      ]);
      // The gate alone, then the four in one batch, rolled back on the bad event and stored one by one.
      expect(await batchFigures(t)).toEqual({
        batches: figures.batches + 2,
        events: figures.events + 5,
        fallbacks: figures.fallbacks + 1,
      });
      expect(await counts()).toEqual({
        events: before.events + 4,
        messages: before.messages + 4,
        chats: before.chats + 3,
        commands: before.commands + 4,
      });
      expect(await messageOf(bad!.payload.id)).toBeUndefined();
      const [chatA] = await sql(t, `select unread_count from chats where session_id = ? and chat_id = ?`, [
        session.id,
        a,
      ]);
      expect(chatA).toEqual({ unread_count: 2 });
    } finally {
      await sql(t, `drop trigger if exists group_commit_refuse on messages`);
      await sql(t, `drop function if exists group_commit_refuse()`);
    }
    // WAHA's retry of the refused event, now that nothing refuses it: stored, once.
    expect(await send(bad!)).toEqual({ status: 200, body: { status: 'stored', eventId: bad!.id } });
    expect(await send(bad!)).toEqual({ status: 200, body: { status: 'duplicate', eventId: bad!.id } });
    expect((await messageOf(bad!.payload.id))?.body).toBe('refuse me');
  });

  it('has one effect for the same event three times in one batch, and again in a later one', async () => {
    const x = inboundEvent({ from: '4917300000001@c.us', body: 'Only once' });
    const y = inboundEvent({ from: '4917300000002@c.us', body: 'A neighbour' });
    const before = await counts();
    const figures = await batchFigures(t);
    const { answers } = await asOneBatch([x, x, y, x]);

    // Stable within a chat: x's first delivery is the one stored.
    expect(answers.map((answer) => [answer.status, answer.body.status])).toEqual([
      [200, 'stored'],
      [200, 'duplicate'],
      [200, 'stored'],
      [200, 'duplicate'],
    ]);
    expect(await batchFigures(t)).toEqual({
      batches: figures.batches + 2,
      events: figures.events + 5,
      fallbacks: figures.fallbacks,
    });
    expect(await counts()).toEqual({
      events: before.events + 3,
      messages: before.messages + 3,
      chats: before.chats + 3,
      commands: before.commands + 3,
    });
    expect(await send(x)).toEqual({ status: 200, body: { status: 'duplicate', eventId: x.id } });
    const [chat] = await sql(t, `select unread_count from chats where session_id = ? and chat_id = ?`, [
      session.id,
      '4917300000001@c.us',
    ]);
    expect(chat).toEqual({ unread_count: 1 });
  });

  it("keeps a chat's order and applies an ack committed while the batch waited for the message", async () => {
    const a = '4917400000001@c.us';
    const [m1, m2, m3] = ['One', 'Two', 'Three'].map((body) => inboundEvent({ from: a, body }));
    const other = inboundEvent({ from: '4917400000002@c.us', body: 'Elsewhere' });
    let ackLock: { release(): Promise<void> } | undefined;
    const { answers } = await asOneBatch([m1!, other, m2!, m3!], {
      // WAHA's READ ack of m2, as storeAck holds it for a message not stored yet, in a transaction
      // that holds m2's lock: the batch's statement of m2 takes its snapshot, then waits; the ack
      // is committed after that snapshot, so only the sweep after the batch's commit can apply it.
      queued: async () => {
        ackLock = await holdMessageLock(t, m2!.payload.id, {
          text: `insert into message_ack_holds (session_id, waha_id, ack, received_at) values (?, ?, 3, now())`,
          values: [session.id, m2!.payload.id],
        });
      },
      running: async () => {
        await messageLockWaiters(t, 1);
        await ackLock!.release();
      },
    });
    expect(answers.map((answer) => answer.body.status)).toEqual(['stored', 'stored', 'stored', 'stored']);
    expect((await messageOf(m2!.payload.id))?.ack).toBe(3);
    const [holds] = await sql(t, `select count(*)::int as n from message_ack_holds where session_id = ?`, [
      session.id,
    ]);
    expect(holds).toEqual({ n: 0 });
    // The chat's messages, its message.received commands and its last message, in arrival order.
    const ids = [m1!, m2!, m3!].map((m) => m.payload.id);
    const messages = await sql<{ waha_id: string }>(
      t,
      `select m.waha_id from messages m join chats c on c.id = m.chat_id
        where c.session_id = ? and c.chat_id = ? order by m.id`,
      [session.id, a],
    );
    expect(messages.map((m) => m.waha_id)).toEqual(ids);
    const commands = await sql<{ message_id: string }>(
      t,
      `select payload->>'messageId' as message_id from outbox_commands
        where type = 'message.received' and session_id = ? and payload->>'chatId' = ? order by outbox_commands.id`,
      [session.id, a],
    );
    expect(commands.map((c) => c.message_id)).toEqual(ids);
    const [last] = await sql(
      t,
      `select m.waha_id from chats c join messages m on m.id = c.last_message_id where c.session_id = ? and c.chat_id = ?`,
      [session.id, a],
    );
    expect(last).toEqual({ waha_id: ids[2] });
  });

  it('loses nothing when a batch dies midway (its session ended) and WAHA redelivers what was not answered 2xx', async () => {
    const events = ['4917500000001@c.us', '4917500000002@c.us', '4917500000003@c.us'].map((from) =>
      inboundEvent({ from, body: `Hello from ${from}` }),
    );
    const [p1, p2, p3] = events;
    const before = await counts();
    const figures = await batchFigures(t);
    let midway: { release(): Promise<void> } | undefined;
    const { answers } = await asOneBatch([p1!, p2!, p3!], {
      queued: async () => {
        midway = await holdMessageLock(t, p2!.payload.id);
      },
      running: async () => {
        // The batch has written p1 and waits for p2's lock: end its backend, as a crash would.
        await messageLockWaiters(t, 1);
        expect(await terminateLockWaiters(t)).toBe(1);
        // Each alone now: p2's statement waits for the lock again (p3 after it), then goes on.
        await messageLockWaiters(t, 1);
        await midway!.release();
      },
    });
    const redelivered = await Promise.all(
      answers.flatMap((answer, i) => (answer.status === 200 ? [] : [send(events[i]!)])),
    );
    expect([...answers, ...redelivered].filter((answer) => answer.status === 200)).toHaveLength(3);
    expect((await batchFigures(t)).fallbacks).toBe(figures.fallbacks + 1);
    expect(await counts()).toEqual({
      events: before.events + 4,
      messages: before.messages + 4,
      chats: before.chats + 4,
      commands: before.commands + 4,
    });
    for (const event of events) expect((await messageOf(event.payload.id))?.body).toBe(event.payload.body);
  });
});
