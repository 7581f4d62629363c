import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ApiKeysService } from './api-keys.service.js';

/** How often this replica re-checks the keys its open sockets authenticated with. */
export const API_KEY_SWEEP_MS = 1000;

/**
 * Long-lived connections (graphql-ws sockets) authenticated with an API key are ended once the
 * key stops working, on whichever replica holds them. Each operation on a socket is checked
 * anyway (the AccessGuard looks the key up again); this covers subscriptions already running.
 *
 * One query per replica per API_KEY_SWEEP_MS while such sockets are open, for all of them
 * (an indexed read of their ids), rather than a message on revocation: a revocation is in
 * PostgreSQL for certain, while a pub/sub message can be lost while Redis is away.
 */
@Injectable()
export class ApiKeyWatch implements OnApplicationShutdown {
  private readonly logger = new Logger(ApiKeyWatch.name);
  private readonly watchers = new Map<string, Set<() => void>>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(private readonly keys: ApiKeysService) {}

  /** Calls `onDead` once the key no longer works; the returned function stops watching. */
  watch(keyId: string, onDead: () => void): () => void {
    let set = this.watchers.get(keyId);
    if (!set) {
      set = new Set();
      this.watchers.set(keyId, set);
    }
    set.add(onDead);
    this.timer ??= setInterval(() => void this.sweep(), API_KEY_SWEEP_MS).unref();
    return () => this.unwatch(keyId, onDead);
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  private unwatch(keyId: string, onDead: () => void): void {
    const set = this.watchers.get(keyId);
    if (!set) return;
    set.delete(onDead);
    if (set.size === 0) this.watchers.delete(keyId);
    if (this.watchers.size === 0) this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async sweep(): Promise<void> {
    if (this.sweeping || this.watchers.size === 0) return;
    this.sweeping = true;
    try {
      for (const keyId of await this.keys.deadAmong([...this.watchers.keys()])) {
        for (const onDead of [...(this.watchers.get(keyId) ?? [])]) onDead();
        this.watchers.delete(keyId);
      }
      if (this.watchers.size === 0) this.stop();
    } catch (error) {
      // The database away: the sockets stay until it answers (their next operations fail anyway).
      this.logger.warn(`Could not re-check the API keys of open sockets: ${String(error)}`);
    } finally {
      this.sweeping = false;
    }
  }
}
