import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql, startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { type LinkedSession, linkedSession, webhooksSettled } from '../support/linked-session.js';
import { type SimEngineName } from '../tools/waha-sim/sim-engine.js';
import { startWahaSimulator, type WahaSimulator } from '../tools/waha-sim/waha-simulator.js';

/**
 * Reactions, edits and revokes as each engine's WAHA sends them (the simulator's WEBJS, NOWEB
 * and GOWS payloads, delivered by its webhook to the events the session subscribed at create):
 * every event is applied on its first delivery, in a chat and in a group.
 */
describe.each(['WEBJS', 'NOWEB', 'GOWS'] as SimEngineName[])(
  'reactions, edits and revokes from %s',
  (engine) => {
    let sim: WahaSimulator;
    let t: TestApp;
    let session: LinkedSession;

    beforeAll(async () => {
      sim = await startWahaSimulator({ engine, timeScale: 0.01 });
      t = await startTestApp();
      session = await linkedSession(t, sim, `engine-${engine.toLowerCase()}`);
    });
    afterAll(async () => {
      await Promise.allSettled([t?.close(), sim?.close()]);
    });

    const row = async (wahaId: string) => {
      const [found] = await sql<{
        body: string | null;
        previous_body: string | null;
        edited: boolean;
        revoked: boolean;
        reactions: string[];
      }>(
        t,
        `select body, previous_body, edited_at is not null as edited, revoked_at is not null as revoked,
        array(select sender_id || ' ' || reaction from message_reactions r
          where r.session_id = m.session_id and r.message_waha_id = m.waha_id order by sender_id) as reactions
       from messages m where session_id = ? and waha_id = ?`,
        [session.id, wahaId],
      );
      return found;
    };

    /** Every webhook of the session was answered 2xx on its first attempt: nothing waited for a retry. */
    async function deliveredAtOnce(): Promise<void> {
      await webhooksSettled(sim, session.id);
      const retried = sim
        .webhookDeliveries()
        .filter((d) => d.session === session.id && (d.state !== 'delivered' || d.attempts.length > 1))
        .map((d) => [d.event, d.state, d.attempts.map((a) => a.status)]);
      expect(retried).toEqual([]);
    }

    it('applies a reaction, an edit and a revoke in a chat with a person', async () => {
      const person = '4917000000401@c.us';
      const sent = sim.inbound(session.id, { from: person, body: 'hello there' });
      await eventually(async () => expect(await row(sent.id)).toMatchObject({ body: 'hello there' }));

      sim.react(session.id, { messageId: sent.id, reaction: '👍' });
      await eventually(async () => expect((await row(sent.id))?.reactions).toEqual([`${person} 👍`]));
      sim.edit(session.id, { messageId: sent.id, body: 'hello there, edited' });
      await eventually(async () =>
        expect(await row(sent.id)).toMatchObject({
          body: 'hello there, edited',
          previous_body: 'hello there',
          edited: true,
        }),
      );
      sim.revoke(session.id, { messageId: sent.id });
      await eventually(async () =>
        expect(await row(sent.id)).toMatchObject({ body: null, previous_body: null, revoked: true }),
      );
      await deliveredAtOnce();
    });

    it('applies a participant’s reaction and the author’s edit and revoke in a group', async () => {
      const author = '4917000000402@c.us';
      const member = '4917000000403@c.us';
      const group = sim.createGroup(session.id, {
        subject: 'Team',
        participants: [{ id: author }, { id: member }],
      });
      const posted = sim.inbound(session.id, { from: group.id, participant: author, body: 'standup at 9' });
      await eventually(async () => expect(await row(posted.id)).toMatchObject({ body: 'standup at 9' }));

      sim.react(session.id, { messageId: posted.id, reaction: '✅', from: member });
      await eventually(async () => expect((await row(posted.id))?.reactions).toEqual([`${member} ✅`]));
      sim.edit(session.id, { messageId: posted.id, body: 'standup at 10' });
      await eventually(async () =>
        expect(await row(posted.id)).toMatchObject({ body: 'standup at 10', previous_body: 'standup at 9' }),
      );
      sim.revoke(session.id, { messageId: posted.id });
      await eventually(async () => expect(await row(posted.id)).toMatchObject({ body: null, revoked: true }));
      await deliveredAtOnce();
    });
  },
);
