import { randomBytes } from 'node:crypto';
import { EntityManager, type FilterQuery, sql, UniqueConstraintViolationException } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { monotonicFactory } from 'ulid';
import { type Actor, createdByActor, userActor } from '../common/audit.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { decodeCursor, type Page, pageSize } from '../common/pagination.js';
import { type AuthContext } from '../auth/auth-context.js';
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
  constructor(private readonly em: EntityManager) {}

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

  async get(id: string): Promise<WhatsappSession> {
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
    await this.flushOrConflict('input.displayName');
    return session;
  }

  async update(auth: AuthContext, id: string, input: UpdateWhatsappSessionInput): Promise<WhatsappSession> {
    const displayName =
      input.displayName === null || input.displayName === undefined
        ? undefined
        : validDisplayName(input.displayName, 'input.displayName');
    const phoneNumber =
      input.phoneNumber === null || input.phoneNumber === undefined
        ? undefined
        : validPhoneNumber(input.phoneNumber, 'input.phoneNumber');
    const session = await this.get(id);
    if (displayName !== undefined && displayName.toLowerCase() !== session.displayName.toLowerCase()) {
      await this.assertNameFree(displayName, 'input.displayName');
    }
    return this.apply(session, userActor(auth.userId), { displayName, phoneNumber }, 'input.displayName');
  }

  async rename(auth: AuthContext, id: string, displayName: string): Promise<WhatsappSession> {
    return this.update(auth, id, { displayName });
  }

  /** Marks the session deleted; it disappears from every read at once. */
  async delete(auth: AuthContext, id: string): Promise<WhatsappSession> {
    const session = await this.get(id);
    session.status = SessionStatus.DELETING;
    session.deletedAt = new Date();
    session.updatedBy = userActor(auth.userId);
    await this.em.flush();
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
