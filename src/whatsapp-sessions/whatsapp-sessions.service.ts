import { randomBytes } from 'node:crypto';
import { EntityManager, type FilterQuery, sql, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { monotonicFactory } from 'ulid';
import { type Actor, createdByActor, userActor } from '../common/audit.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { validIdArgument } from '../common/input-checks.js';
import { decodeCursor, type Page, pageOf, pageWindow } from '../common/pagination.js';
import { type AuthContext } from '../auth/auth-context.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { CommandType } from '../outbox/commands.js';
import { OutboxCommand, OutboxStatus } from '../outbox/outbox-command.entity.js';
import { OutboxService } from '../outbox/outbox.service.js';
import { WebhookProbe } from './webhook-reachability.js';
import { SessionEvents } from './session-events.js';
import { wahaCreateRequest } from './waha-session-request.js';
import { AuthMethod, SessionStatus, WhatsappSession } from './whatsapp-session.entity.js';
import {
  type CreateWhatsappSessionInput,
  type UpdateWhatsappSessionInput,
  type WhatsappSessionsArgs,
} from './dto/whatsapp-session.inputs.js';
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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The tenant's sessions, newest first (ids are ULIDs): after a cursor are older ones, before it newer. */
  async list(args: WhatsappSessionsArgs): Promise<Page<WhatsappSession>> {
    const window = pageWindow(args, (cursor, field) => String(decodeCursor(cursor, 1, field)[0]));
    const where: FilterQuery<WhatsappSession> = { deletedAt: null };
    const statuses = args.filter?.status;
    if (statuses && statuses.length > 0) where.status = { $in: statuses };
    if (window.after !== null || window.before !== null) {
      where.id = {
        ...(window.after === null ? {} : { $lt: window.after }),
        ...(window.before === null ? {} : { $gt: window.before }),
      };
    }
    const rows = await this.em.find(WhatsappSession, where, {
      // Paged backward, the rows nearest `before` come first; pageOf puts them back in list order.
      orderBy: { id: window.direction === 'forward' ? 'desc' : 'asc' },
      limit: window.limit + 1,
    });
    return pageOf(window, rows, (session) => [session.id]);
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

  /** Stores the session with its session.create command for n8n; SessionLinkingService waits for its first QR. */
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

  /**
   * Asks n8n to fetch the account's message capping and reach-out timelock fresh from WAHA
   * (session.limits); they show on the session when reported. Needs a linked (WORKING) session.
   */
  async refreshLimits(auth: AuthContext, id: string): Promise<WhatsappSession> {
    const session = await this.get(id);
    if (session.status !== SessionStatus.WORKING) {
      throw new DomainError(
        ErrorCode.FAILED_PRECONDITION,
        `The session is ${session.status}; WhatsApp's limits are known only for a linked (WORKING) session`,
        { details: { status: session.status, expected: [SessionStatus.WORKING] } },
      );
    }
    return this.command(auth, id, CommandType.SESSION_LIMITS, session);
  }

  private async command(
    auth: AuthContext,
    id: string,
    type:
      | typeof CommandType.SESSION_STOP
      | typeof CommandType.SESSION_RESTART
      | typeof CommandType.SESSION_LOGOUT
      | typeof CommandType.SESSION_LIMITS,
    found?: WhatsappSession,
  ): Promise<WhatsappSession> {
    const session = found ?? (await this.get(id));
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
