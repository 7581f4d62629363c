import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { type Actor } from '../common/audit.js';
import { type ReceivedEvent, recordWebhookEvent } from '../inbox/webhook-events.js';
import { MessageEvents } from './message-events.js';
import {
  applyEdit,
  applyRevoke,
  type ChangeTarget,
  findTarget,
  lockMessages,
  type ReactionChange,
  upsertReaction,
} from './message-change-sql.js';
import { type SessionRef } from './message-rows.js';
import { loadMessageForPublish } from './message-views.js';

/**
 * What a change did: 'applied'; 'stale' (recorded, not applied: `reason` says why);
 * 'duplicate' (a redelivery: nothing); 'not-stored' (an edit or revoke of a message this
 * service does not have yet: nothing recorded, so WAHA's retry can apply it once it has).
 */
export type ChangeOutcome =
  { outcome: 'applied' | 'duplicate' | 'not-stored' } | { outcome: 'stale'; reason: string };

/**
 * What happens to a message after it was sent, as WAHA reports it: a reaction, an edit, a
 * revoke for everyone. Each is one transaction under the message's lock (the one the message
 * hot path takes), with the event's dedupe row, so a redelivery changes nothing and a change
 * never interleaves with the message itself; after commit, the message is published with its
 * current reactions, edit and revoke.
 */
@Injectable()
export class MessageChangesService {
  constructor(
    private readonly em: EntityManager,
    private readonly events: MessageEvents,
  ) {}

  /**
   * A sender's reaction, stored whether or not the message is (a reaction may beat its
   * message; it shows once the message is stored, as the message's reads load them).
   */
  async storeReaction(
    ref: SessionRef,
    change: ReactionChange,
    options: { event?: ReceivedEvent },
  ): Promise<ChangeOutcome> {
    const result = await this.em.fork().transactional(async (em): Promise<ChangeOutcome> => {
      await lockMessages(em, [change.messageWahaId]);
      if (options.event && !(await recordWebhookEvent(em, ref, options.event)))
        return { outcome: 'duplicate' };
      if (await upsertReaction(em, ref, change)) return { outcome: 'applied' };
      return { outcome: 'stale', reason: "the sender's newer reaction was already applied" };
    });
    if (result.outcome === 'applied') await this.publish(ref, change.messageWahaId);
    return result;
  }

  /** An edit: the new text, the one before kept; only newer than the last edit, never on a revoked message. */
  async storeEdit(
    ref: SessionRef,
    target: ChangeTarget,
    edit: { body: string; at: Date },
    actor: Actor,
    options: { event?: ReceivedEvent },
  ): Promise<ChangeOutcome> {
    return this.change(ref, target, edit.at, options, async (em, row) => {
      if (row.revoked_at) return { outcome: 'stale', reason: 'the message was revoked' };
      if (row.edited_at && new Date(row.edited_at).getTime() >= edit.at.getTime()) {
        return { outcome: 'stale', reason: 'a newer edit was already applied' };
      }
      await applyEdit(em, row.id, edit, actor);
      return { outcome: 'applied' };
    });
  }

  /** A revoke for everyone: the message's content cleared, once. */
  async storeRevoke(
    ref: SessionRef,
    target: ChangeTarget,
    at: Date,
    actor: Actor,
    options: { event?: ReceivedEvent },
  ): Promise<ChangeOutcome> {
    return this.change(ref, target, at, options, async (em, row) => {
      if (row.revoked_at) return { outcome: 'stale', reason: 'the message was already revoked' };
      await applyRevoke(em, row.id, at, actor);
      return { outcome: 'applied' };
    });
  }

  /**
   * An edit or revoke: the message found under its lock, the event recorded, `apply` judging
   * the message as it is. A message not stored yet records nothing (see ChangeOutcome).
   */
  private async change(
    ref: SessionRef,
    target: ChangeTarget,
    at: Date,
    options: { event?: ReceivedEvent },
    apply: (
      em: EntityManager,
      row: { id: string; revoked_at: Date | null; edited_at: Date | null },
    ) => Promise<ChangeOutcome>,
  ): Promise<ChangeOutcome> {
    let wahaId: string | null = null;
    const result = await this.em.fork().transactional(async (em): Promise<ChangeOutcome> => {
      await lockMessages(em, target.wahaIds);
      const row = await findTarget(em, ref, target, at);
      if (!row) return { outcome: 'not-stored' };
      if (options.event && !(await recordWebhookEvent(em, ref, options.event)))
        return { outcome: 'duplicate' };
      wahaId = row.waha_id;
      return apply(em, row);
    });
    if (result.outcome === 'applied' && wahaId !== null) await this.publish(ref, wahaId);
    return result;
  }

  /** After commit: the message as stored now, to the tenant's dashboards (nothing when it is not stored). */
  private async publish(ref: SessionRef, wahaId: string): Promise<void> {
    const view = await loadMessageForPublish(this.em, ref, wahaId);
    if (view) this.events.publishStored(ref, view.chat, view.message);
  }
}
