import { type EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { monotonicFactory } from 'ulid';
import { type CommandPayloads, type CommandType } from './commands.js';
import { OutboxCommand, OutboxStatus } from './outbox-command.entity.js';

const ulid = monotonicFactory();

export interface CommandTarget {
  tenantId: string;
  /** The WAHA session name the command is about; commands of one session are delivered in order. */
  sessionId: string | null;
}

type Listener = () => void;

export interface DeadCommand {
  id: string;
  type: CommandType;
  tenantId: string;
  sessionId: string | null;
  error: string;
}

/**
 * Writes commands for n8n into the outbox. `enqueue` only adds the row to `em`'s unit of
 * work: it is written by the same flush, in the same transaction, as the change that
 * causes it, so a change is never stored without its command or the other way round.
 */
@Injectable()
export class OutboxService {
  private readonly listeners = new Set<Listener>();
  private readonly deadListeners = new Set<(command: DeadCommand) => void>();

  enqueue<T extends CommandType>(
    em: EntityManager,
    type: T,
    target: CommandTarget,
    payload: CommandPayloads[T],
  ): OutboxCommand {
    return em.create(OutboxCommand, {
      id: ulid(),
      tenant: target.tenantId,
      type,
      sessionId: target.sessionId,
      payload: payload as Record<string, unknown>,
      status: OutboxStatus.PENDING,
      attempts: 0,
      nextAttemptAt: new Date(),
    });
  }

  /** Tells this replica's dispatcher that new commands were committed, so it need not wait for its next poll. */
  notifyCommitted(): void {
    for (const listener of this.listeners) listener();
  }

  onCommitted(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A command the dispatcher gave up on (after OUTBOX_MAX_ATTEMPTS). */
  notifyDead(command: DeadCommand): void {
    for (const listener of this.deadListeners) listener(command);
  }

  onDead(listener: (command: DeadCommand) => void): () => void {
    this.deadListeners.add(listener);
    return () => this.deadListeners.delete(listener);
  }
}
