import { describe, expect, it } from '@jest/globals';
import { SocketDeadlines } from '../../src/graphql/socket-deadlines.js';

/**
 * Token expiry of many sockets on one timer (graphql-ws.ts closes a socket 4403 when its token
 * expires; token-expiry.spec.ts covers that end to end). Outcomes and order only: no timing bounds.
 */
describe('SocketDeadlines', () => {
  /** The deadlines, and the sockets in the order they came due. */
  function setUp() {
    const due: string[] = [];
    const waiters = new Map<string, () => void>();
    const deadlines = new SocketDeadlines<{ name: string }>((socket) => {
      due.push(socket.name);
      waiters.get(socket.name)?.();
    });
    const dueOf = (name: string) => new Promise<void>((resolve) => waiters.set(name, resolve));
    return { deadlines, due, dueOf };
  }
  const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

  it('hands a socket whose deadline has passed over at once', () => {
    const { deadlines, due } = setUp();
    deadlines.add({ name: 'late' }, new Date(Date.now() - 1));
    expect(due).toEqual(['late']);
    expect(deadlines.size).toBe(0);
  });

  it('hands sockets over in the order of their deadlines, each once, and never a forgotten one', async () => {
    const { deadlines, due, dueOf } = setUp();
    const closed = { name: 'closed' };
    const later = dueOf('later');
    deadlines.add({ name: 'later' }, inSeconds(2.5));
    deadlines.add({ name: 'sooner' }, inSeconds(1));
    deadlines.add(closed, inSeconds(1.5));
    deadlines.forget(closed);
    expect(deadlines.size).toBe(2);

    await later;

    expect(due).toEqual(['sooner', 'later']);
    expect(deadlines.size).toBe(0);
  });

  it('replaces a socket’s deadline when it is added again', async () => {
    const { deadlines, due, dueOf } = setUp();
    const socket = { name: 'renewed' };
    const sentinel = dueOf('sentinel');
    deadlines.add(socket, inSeconds(1));
    deadlines.add(socket, inSeconds(3.5));
    deadlines.add({ name: 'sentinel' }, inSeconds(2));

    await sentinel;
    expect(due).toEqual(['sentinel']);
    await dueOf('renewed');
    expect(due).toEqual(['sentinel', 'renewed']);
  });
});
