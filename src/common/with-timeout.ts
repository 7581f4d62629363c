/**
 * `work`, or a rejection after `ms`: for calls whose client has no deadline of its own (a
 * frozen Redis answers nothing and ioredis waits; a health probe must answer its prober).
 * The work itself is not cancelled: its late result is ignored.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
