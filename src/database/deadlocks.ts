import { DeadlockException } from '@mikro-orm/core';

/**
 * `work` (a whole transaction) again when PostgreSQL broke a deadlock by failing it: the
 * transaction was rolled back, so running it again is safe, and PostgreSQL's own advice is to
 * retry. The writers of one message or chat take their locks in one order where they can (see
 * the callers); this is the net for orders that cannot be fixed up front, such as two chats
 * found only inside the transaction. `onRetry` counts and logs each retry, so contention shows.
 */
export async function retryOnDeadlock<T>(
  work: () => Promise<T>,
  onRetry: (attempt: number) => void,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof DeadlockException) || attempt >= attempts) throw error;
      onRetry(attempt + 1);
    }
  }
}
