import { type EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { type CommandPayloads, type CommandType } from './commands.js';
import { OutboxCommand } from './outbox-command.entity.js';
import { type CommandTarget, newOutboxCommand } from './outbox-rows.js';

type Listener = () => void;

/**
 * Writes commands for n8n into the outbox. `enqueue` only adds the row to `em`'s unit of
 * work: it is written by the same flush, in the same transaction, as the change that
 * causes it, so a change is never stored without its command or the other way round.
 */
@Injectable()
export class OutboxService {
  private readonly listeners = new Set<Listener>();

  enqueue<T extends CommandType>(
    em: EntityManager,
    type: T,
    target: CommandTarget,
    payload: CommandPayloads[T],
  ): OutboxCommand {
    const command = newOutboxCommand(type, target, payload);
    return em.create(OutboxCommand, {
      id: command.id,
      tenant: command.tenantId,
      type: command.type,
      sessionId: command.sessionId,
      payload: command.payload as Record<string, unknown>,
      status: command.status,
      attempts: command.attempts,
      nextAttemptAt: command.nextAttemptAt,
      createdAt: command.createdAt,
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
}
