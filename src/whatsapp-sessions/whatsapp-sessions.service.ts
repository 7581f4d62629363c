import { randomBytes } from 'node:crypto';
import { EntityManager, type FilterQuery, sql, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { monotonicFactory } from 'ulid';
import { type Actor, createdByActor, userActor } from '../common/audit.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { validIdArgument } from '../common/input-checks.js';
import { decodeCursor, type Page, pageSize } from '../common/pagination.js';
import { type AuthContext } from '../auth/auth-context.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { type CommandPayloads, CommandType } from '../outbox/commands.js';
import { OutboxCommand, OutboxStatus } from '../outbox/outbox-command.entity.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { Topic } from '../realtime/topics.js';
import { WebhookProbe } from './webhook-reachability.js';
import { type Jsonified, SessionEvents, type SessionUpdatedPayload } from './session-events.js';
import { QR_SERIES_LENGTH } from '../waha/waha-clock.js';
import { wahaCreateRequest } from './waha-session-request.js';
import { AuthMethod, SessionStatus, WhatsappSession } from './whatsapp-session.entity.js';
import { type WhatsappSessionModel } from './whatsapp-session.model.js';
import {
  type CreateWhatsappSessionInput,
  type UpdateWhatsappSessionInput,
  type WhatsappSessionsArgs,
} from './dto/whatsapp-session.inputs.js';
import { toWhatsappSessionModel } from './whatsapp-session.mapper.js';
import { validDisplayName, validIdempotencyKey, validPhoneNumber } from './whatsapp-session.validation.js';

const ulid = monotonicFactory();

/** WAHA session names are `[a-zA-Z0-9_-]{1,54}`; ours are `ws_` + a ULID, so ids sort by creation. */
export function newSessionId(): string {
  return `ws_${ulid().toLowerCase()}`;
}

/**
 * The tenant's WhatsApp sessions. Every read runs under the tenant filter that the
 * AccessGuard set from the caller's token, so another tenant's session is simply not found.
 */
@Injectable()
export class WhatsappSessionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxService,
    private readonly probe: WebhookProbe,
    private readonly events: SessionEvents,
    private readonly realtime: RealtimeService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(args: WhatsappSessionsArgs): Promise<Page<WhatsappSession>> {
    const limit = pageSize(args.first);
    const where: FilterQuery<WhatsappSession> = { deletedAt: null };
    const statuses = args.filter?.status;
    if (statuses && statuses.length > 0) where.status = { $in: statuses };
    if (args.after) {
      const [afterId] = decodeCursor(args.after, 1);
      where.id = { $lt: String(afterId) };
    }
    const rows = await this.em.find(WhatsappSession, where, { orderBy: { id: 'desc' }, limit: limit + 1 });
    return { items: rows.slice(0, limit), hasNextPage: rows.length > limit };
  }

  /**
   * The session named by an `id` argument: every query, mutation and subscription of a session
   * looks it up here. An id that no session can have is BAD_USER_INPUT on `id` (see
   * validIdArgument), as it is for the chats API; one that is merely unknown, or another
   * tenant's, is NOT_FOUND.
   */
  async get(id: string): Promise<WhatsappSession> {
    validIdArgument(id, 'id');
    const session = await this.em.findOne(WhatsappSession, { id, deletedAt: null });
    if (!session) throw DomainError.notFound('WhatsApp session', id);
    return session;
  }

  async create(auth: AuthContext, input: CreateWhatsappSessionInput): Promise<WhatsappSession> {
    const displayName = validDisplayName(input.displayName, 'input.displayName');
    const authMethod = input.authMethod ?? AuthMethod.QR;
    const phoneNumber =
      input.phoneNumber === null || input.phoneNumber === undefined
        ? null
        : validPhoneNumber(input.phoneNumber, 'input.phoneNumber');
    if (authMethod === AuthMethod.PHONE_CODE && phoneNumber === null) {
      throw DomainError.badInput('input.phoneNumber', 'Pairing by phone code needs the phone number');
    }
    const idempotencyKey =
      input.idempotencyKey === null || input.idempotencyKey === undefined
        ? null
        : validIdempotencyKey(input.idempotencyKey, 'input.idempotencyKey');

    if (idempotencyKey) {
      const earlier = await this.em.findOne(WhatsappSession, { idempotencyKey });
      if (earlier) {
        const same =
          earlier.displayName === displayName &&
          earlier.authMethod === authMethod &&
          (earlier.phoneNumber ?? null) === phoneNumber;
        if (!same) {
          throw new DomainError(ErrorCode.CONFLICT, 'This idempotency key was used for a different session', {
            field: 'input.idempotencyKey',
          });
        }
        return earlier;
      }
    }
    await this.assertNameFree(displayName, 'input.displayName');
    // Before anything is stored: WAHA must be able to reach us, or the session could never link.
    await this.probe.prove();

    const session = this.em.create(WhatsappSession, {
      id: newSessionId(),
      tenant: auth.tenantId,
      displayName,
      authMethod,
      phoneNumber,
      status: SessionStatus.CREATING,
      webhookHmacKey: randomBytes(32).toString('hex'),
      idempotencyKey,
      ...createdByActor(userActor(auth.userId)),
    });
    this.outbox.enqueue(
      this.em,
      CommandType.SESSION_CREATE,
      { tenantId: auth.tenantId, sessionId: session.id },
      {
        authMethod,
        phoneNumber,
        wahaRequest: wahaCreateRequest(session, this.config),
      },
    );
    await this.flushOrConflict('input.displayName');
    this.outbox.notifyCommitted();
    await this.events.updated(session);
    return session;
  }

  /**
   * Creates the session and answers with its first QR (or pairing code) when n8n reports it
   * within CREATE_QR_WAIT_MS, else with the session as it stands (the dashboard then follows
   * the subscription). The wait listens on pub/sub, so the report may land on any replica.
   */
  async createAwaitingCode(auth: AuthContext, input: CreateWhatsappSessionInput): Promise<WhatsappSession> {
    return this.answerWithCode(auth.tenantId, async () => {
      const session = await this.create(auth, input);
      return { session, wait: !hasAnswer(session, Date.now()) };
    });
  }

  /**
   * The QR to scan: the current one while it is valid; else a new one fetched from WAHA
   * while it is in SCAN_QR_CODE; else (WAHA failed the session after its QR window, or it
   * is stopped) the session is restarted for a new series. Waits for it like create does.
   */
  async refreshQr(auth: AuthContext, id: string): Promise<WhatsappSession> {
    return this.answerWithCode(auth.tenantId, async () => {
      const session = await this.get(id);
      assertNotLinked(session, 'there is no QR to scan');
      const now = Date.now();
      let changed = false;
      if (session.authMethod !== AuthMethod.QR) {
        // Rotations fetch QRs for QR sessions only: the session now links by QR.
        session.authMethod = AuthMethod.QR;
        changed = true;
      }
      if (!changed && qrValid(session, now)) return { session, wait: false };
      const scanning = session.status === SessionStatus.SCAN_QR_CODE;
      // The last QR of the window has expired (not merely announced by WAHA, its value still on its way).
      const windowOver =
        scanning &&
        (session.qrSequence ?? 0) >= QR_SERIES_LENGTH &&
        (!session.qrExpiresAt || session.qrExpiresAt.getTime() <= now);
      const steps: SessionStep[] =
        scanning && !windowOver
          ? [{ type: CommandType.SESSION_FETCH_QR, payload: {} }]
          : NEEDS_RESTART.has(session.status) || windowOver
            ? [{ type: CommandType.SESSION_RESTART, payload: {} }]
            : []; // CREATING or STARTING: the QR is on its way.
      await this.enqueueSteps(auth, session, steps, changed);
      return { session, wait: true };
    });
  }

  /** The pairing code for `phoneNumber`, as refreshQr does for the QR: current, requested, or after a restart. */
  async requestPairingCode(auth: AuthContext, id: string, phoneNumber: string): Promise<WhatsappSession> {
    const phone = validPhoneNumber(phoneNumber, 'phoneNumber');
    return this.answerWithCode(auth.tenantId, async () => {
      const session = await this.get(id);
      assertNotLinked(session, 'there is no code to enter');
      const now = Date.now();
      let changed = false;
      if (session.authMethod !== AuthMethod.PHONE_CODE || session.phoneNumber !== phone) {
        session.authMethod = AuthMethod.PHONE_CODE;
        session.phoneNumber = phone;
        changed = true;
      }
      if (!changed && codeValid(session, now)) return { session, wait: false };
      const request: SessionStep = {
        type: CommandType.SESSION_REQUEST_CODE,
        payload: { phoneNumber: phone },
      };
      const steps: SessionStep[] = NEEDS_RESTART.has(session.status)
        ? [{ type: CommandType.SESSION_RESTART, payload: {} }, request]
        : [request];
      await this.enqueueSteps(auth, session, steps, changed);
      return { session, wait: true };
    });
  }

  /**
   * Runs `act` with the tenant's session events already subscribed (so an answer cannot
   * slip by between the write and the wait), then waits up to CREATE_QR_WAIT_MS for an
   * event of that session that answers it: a new QR or code, WORKING, or a new error.
   * Either way the session is read back, so the caller gets what is stored.
   */
  private async answerWithCode(
    tenantId: string,
    act: () => Promise<{ session: WhatsappSession; wait: boolean }>,
  ): Promise<WhatsappSession> {
    const waitMs = this.config.sessions.createQrWaitMs;
    if (waitMs <= 0) return (await act()).session;
    const deadline = Date.now() + waitMs;
    const events = this.realtime.subscribe<SessionUpdatedPayload>(Topic.SESSION_UPDATED, tenantId);
    try {
      // While Redis is away the subscription goes live only when it is back: do not hold the write for it.
      if (this.realtime.connected) await events.live;
      const { session, wait } = await act();
      if (!wait) return session;
      const before = toWhatsappSessionModelJson(session);
      await events.nextMatching(
        (event) => event.session.id === session.id && answers(before, event),
        Math.max(0, deadline - Date.now()),
      );
      await this.em.refresh(session);
      return session;
    } finally {
      events.close();
    }
  }

  /** Writes the commands (skipping one already waiting) and any change to the row, in one transaction. */
  private async enqueueSteps(
    auth: AuthContext,
    session: WhatsappSession,
    steps: SessionStep[],
    changed: boolean,
  ): Promise<void> {
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
    if (!queued && !changed) return;
    session.updatedBy = userActor(auth.userId);
    await this.em.flush();
    if (queued) this.outbox.notifyCommitted();
    if (changed) await this.events.updated(session);
  }

  /** Stops the session in WAHA; its status follows when WAHA reports it. */
  async stop(auth: AuthContext, id: string): Promise<WhatsappSession> {
    return this.command(auth, id, CommandType.SESSION_STOP);
  }

  /** Restarts it in WAHA: a failed or stopped session gets a new QR window. */
  async restart(auth: AuthContext, id: string): Promise<WhatsappSession> {
    return this.command(auth, id, CommandType.SESSION_RESTART);
  }

  /** Unlinks the WhatsApp account; the session stays and can be linked again. */
  async logout(auth: AuthContext, id: string): Promise<WhatsappSession> {
    return this.command(auth, id, CommandType.SESSION_LOGOUT);
  }

  private async command(
    auth: AuthContext,
    id: string,
    type:
      | typeof CommandType.SESSION_STOP
      | typeof CommandType.SESSION_RESTART
      | typeof CommandType.SESSION_LOGOUT,
  ): Promise<WhatsappSession> {
    const session = await this.get(id);
    // A retried request finds its command still waiting and adds no second one.
    const waiting = await this.em.count(OutboxCommand, {
      sessionId: session.id,
      type,
      status: OutboxStatus.PENDING,
    });
    if (waiting === 0) {
      this.outbox.enqueue(this.em, type, { tenantId: auth.tenantId, sessionId: session.id }, {});
      session.updatedBy = userActor(auth.userId);
      await this.em.flush();
      this.outbox.notifyCommitted();
    }
    return session;
  }

  /** `nameField`: where the name came from, so an error points at the caller's own argument. */
  async update(
    auth: AuthContext,
    id: string,
    input: UpdateWhatsappSessionInput,
    nameField = 'input.displayName',
  ): Promise<WhatsappSession> {
    const displayName =
      input.displayName === null || input.displayName === undefined
        ? undefined
        : validDisplayName(input.displayName, nameField);
    const phoneNumber =
      input.phoneNumber === null || input.phoneNumber === undefined
        ? undefined
        : validPhoneNumber(input.phoneNumber, 'input.phoneNumber');
    const session = await this.get(id);
    if (displayName !== undefined && displayName.toLowerCase() !== session.displayName.toLowerCase()) {
      await this.assertNameFree(displayName, nameField);
    }
    return this.apply(session, userActor(auth.userId), { displayName, phoneNumber }, nameField);
  }

  async rename(auth: AuthContext, id: string, displayName: string): Promise<WhatsappSession> {
    return this.update(auth, id, { displayName }, 'displayName');
  }

  /** Marks the session deleted; it disappears from every read at once. */
  async delete(auth: AuthContext, id: string): Promise<WhatsappSession> {
    const session = await this.get(id);
    session.status = SessionStatus.DELETING;
    session.deletedAt = new Date();
    session.updatedBy = userActor(auth.userId);
    // WAHA's session goes too; the row is removed when n8n reports it gone.
    this.outbox.enqueue(
      this.em,
      CommandType.SESSION_DELETE,
      { tenantId: auth.tenantId, sessionId: session.id },
      {},
    );
    await this.em.flush();
    this.outbox.notifyCommitted();
    await this.events.updated(session);
    return session;
  }

  private async apply(
    session: WhatsappSession,
    actor: Actor,
    changes: { displayName?: string | undefined; phoneNumber?: string | undefined },
    conflictField: string,
  ): Promise<WhatsappSession> {
    let changed = false;
    if (changes.displayName !== undefined && changes.displayName !== session.displayName) {
      session.displayName = changes.displayName;
      changed = true;
    }
    if (changes.phoneNumber !== undefined && changes.phoneNumber !== session.phoneNumber) {
      session.phoneNumber = changes.phoneNumber;
      changed = true;
    }
    if (changed) {
      session.updatedBy = actor;
      await this.flushOrConflict(conflictField);
      await this.events.updated(session);
    }
    return session;
  }

  private async assertNameFree(displayName: string, field: string): Promise<void> {
    const taken = await this.em.count(WhatsappSession, {
      deletedAt: null,
      [sql.lower('display_name')]: displayName.toLowerCase(),
    });
    if (taken > 0) throw this.nameConflict(displayName, field);
  }

  private async flushOrConflict(field: string): Promise<void> {
    try {
      await this.em.flush();
    } catch (error) {
      // The partial unique index caught a name taken by a concurrent request.
      if (error instanceof UniqueConstraintViolationException) {
        this.em.clear();
        throw new DomainError(ErrorCode.CONFLICT, 'A WhatsApp session with this name already exists', {
          field,
        });
      }
      throw error;
    }
  }

  private nameConflict(displayName: string, field: string): DomainError {
    return new DomainError(
      ErrorCode.CONFLICT,
      `A WhatsApp session named ${JSON.stringify(displayName)} already exists`,
      {
        field,
      },
    );
  }
}

type SessionStepType =
  | typeof CommandType.SESSION_FETCH_QR
  | typeof CommandType.SESSION_RESTART
  | typeof CommandType.SESSION_REQUEST_CODE;
type SessionStep = { [T in SessionStepType]: { type: T; payload: CommandPayloads[T] } }[SessionStepType];

/** Statuses from which only a restart brings a new QR window. */
const NEEDS_RESTART = new Set<SessionStatus>([SessionStatus.FAILED, SessionStatus.STOPPED]);

function assertNotLinked(session: WhatsappSession, what: string): void {
  if (session.status === SessionStatus.WORKING) {
    throw new DomainError(ErrorCode.FAILED_PRECONDITION, `The session is already linked: ${what}`, {
      details: { status: session.status },
    });
  }
}

function qrValid(session: WhatsappSession, now: number): boolean {
  return (
    session.status === SessionStatus.SCAN_QR_CODE &&
    !!session.qrValue &&
    !!session.qrExpiresAt &&
    session.qrExpiresAt.getTime() > now
  );
}

function codeValid(session: WhatsappSession, now: number): boolean {
  return (
    session.status === SessionStatus.SCAN_QR_CODE &&
    !!session.pairingCode &&
    !!session.pairingCodeExpiresAt &&
    session.pairingCodeExpiresAt.getTime() > now
  );
}

/** Nothing to wait for: a valid QR or code is there, or the session is linked. */
function hasAnswer(session: WhatsappSession, now: number): boolean {
  return session.status === SessionStatus.WORKING || qrValid(session, now) || codeValid(session, now);
}

function toWhatsappSessionModelJson(session: WhatsappSession): Jsonified<WhatsappSessionModel> {
  return JSON.parse(JSON.stringify(toWhatsappSessionModel(session))) as Jsonified<WhatsappSessionModel>;
}

/** Whether an event answers a wait that started from `before`. */
function answers(
  before: Jsonified<WhatsappSessionModel>,
  { deleted, session }: SessionUpdatedPayload,
): boolean {
  if (deleted || session.status === SessionStatus.WORKING) return true;
  if (session.qr && session.qr.value !== before.qr?.value) return true;
  if (session.pairingCode && session.pairingCode.code !== before.pairingCode?.code) return true;
  // n8n reported a failure (WAHA refused, the session FAILED): the caller should see it now.
  return !!session.lastError && session.lastError.at !== before.lastError?.at;
}
