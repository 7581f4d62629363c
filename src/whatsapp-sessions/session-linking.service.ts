import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { userActor } from '../common/audit.js';
import { type AuthContext } from '../auth/auth-context.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { OutboxCommand, OutboxStatus } from '../outbox/outbox-command.entity.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { Topic } from '../realtime/topics.js';
import { answerOf, answers, hasAnswer } from './code-answer.js';
import { type CreateWhatsappSessionInput } from './dto/whatsapp-session.inputs.js';
import { type LinkPlan, pairingCodePlan, refreshQrPlan } from './link-plans.js';
import { SessionEvents } from './session-events.js';
import { type SessionUpdatedPayload, toSessionUpdatedPayload } from './session-payload.js';
import { type WhatsappSession } from './whatsapp-session.entity.js';
import { toWhatsappSessionModel } from './whatsapp-session.mapper.js';
import { type WhatsappSessionModel } from './whatsapp-session.model.js';
import { validPhoneNumber } from './whatsapp-session.validation.js';
import { WhatsappSessionsService } from './whatsapp-sessions.service.js';

/**
 * How the dashboard gets what the phone needs to link, a QR or a pairing code: each mutation
 * answers with it when n8n reports it within CREATE_QR_WAIT_MS, else with the session as it
 * stands (the dashboard then follows the subscription).
 */
@Injectable()
export class SessionLinkingService {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: WhatsappSessionsService,
    private readonly outbox: OutboxService,
    private readonly events: SessionEvents,
    private readonly realtime: RealtimeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Creates the session and answers with its first QR (or pairing code) when n8n reports it
   * within CREATE_QR_WAIT_MS, else with the session as it stands. The wait listens on pub/sub,
   * so the report may land on any replica.
   */
  async createAwaitingCode(
    auth: AuthContext,
    input: CreateWhatsappSessionInput,
  ): Promise<WhatsappSessionModel> {
    return this.answerWithCode(auth.tenantId, async () => {
      const session = await this.sessions.create(auth, input);
      return { session, wait: !hasAnswer(session, Date.now()) };
    });
  }

  /** The QR to scan (see refreshQrPlan). Waits for it like create does. */
  async refreshQr(auth: AuthContext, id: string): Promise<WhatsappSessionModel> {
    return this.answerWithCode(auth.tenantId, async () => {
      const session = await this.sessions.get(id);
      return this.carryOut(auth, session, refreshQrPlan(session, Date.now()));
    });
  }

  /** The pairing code for `phoneNumber`, as refreshQr does for the QR (see pairingCodePlan). */
  async requestPairingCode(
    auth: AuthContext,
    id: string,
    phoneNumber: string,
  ): Promise<WhatsappSessionModel> {
    const phone = validPhoneNumber(phoneNumber, 'phoneNumber');
    return this.answerWithCode(auth.tenantId, async () => {
      const session = await this.sessions.get(id);
      return this.carryOut(auth, session, pairingCodePlan(session, phone, Date.now()));
    });
  }

  /**
   * Runs `act` with the tenant's session events already subscribed (so an answer cannot
   * slip by between the write and the wait), then waits up to CREATE_QR_WAIT_MS for an
   * event of that session that answers it: a new QR or code, WORKING, or a new error. The
   * answer is the session that event carried; without one, the session as it is stored.
   */
  private async answerWithCode(
    tenantId: string,
    act: () => Promise<{ session: WhatsappSession; wait: boolean }>,
  ): Promise<WhatsappSessionModel> {
    const waitMs = this.config.sessions.createQrWaitMs;
    if (waitMs <= 0) return toWhatsappSessionModel((await act()).session);
    const deadline = Date.now() + waitMs;
    const events = this.realtime.subscribe<SessionUpdatedPayload>(Topic.SESSION_UPDATED, tenantId);
    try {
      // While Redis is away the subscription goes live only when it is back: do not hold the write for it.
      if (this.realtime.connected) await events.live;
      const { session, wait } = await act();
      if (!wait) return toWhatsappSessionModel(session);
      const before = toSessionUpdatedPayload(session).session;
      const answered = answerOf(
        await events.nextMatching((event) => answers(before, event), Math.max(0, deadline - Date.now())),
      );
      if (answered) return answered;
      await this.em.refresh(session);
      return toWhatsappSessionModel(session);
    } finally {
      events.close();
    }
  }

  /**
   * Switches the way of linking if the plan says so and writes its commands (skipping one
   * already waiting), in one transaction; then waits, unless the plan's answer is already shown.
   */
  private async carryOut(
    auth: AuthContext,
    session: WhatsappSession,
    { switchTo, steps }: LinkPlan,
  ): Promise<{ session: WhatsappSession; wait: boolean }> {
    if (!steps) return { session, wait: false };
    const changed = switchTo !== null;
    if (switchTo) Object.assign(session, switchTo);
    let queued = false;
    for (const step of steps) {
      const waiting = await this.em.count(OutboxCommand, {
        sessionId: session.id,
        type: step.type,
        status: OutboxStatus.PENDING,
      });
      if (waiting > 0) continue;
      this.outbox.enqueue(
        this.em,
        step.type,
        { tenantId: auth.tenantId, sessionId: session.id },
        step.payload,
      );
      queued = true;
    }
    if (queued || changed) {
      session.updatedBy = userActor(auth.userId);
      await this.em.flush();
      if (queued) this.outbox.notifyCommitted();
      if (changed) await this.events.updated(session);
    }
    return { session, wait: true };
  }
}
