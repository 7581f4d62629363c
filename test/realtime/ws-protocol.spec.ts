import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { once } from 'node:events';
import { CloseCode } from 'graphql-ws';
import WebSocket from 'ws';
import { RealtimeService } from '../../src/realtime/realtime.service.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { graphqlWsClient, SESSION_UPDATED, SESSIONS_UPDATED, subscribeWs, wsUrl } from './support.js';

/**
 * The public endpoint's graphql-transport-ws transport (src/graphql/ws-protocol.ts) speaks the
 * protocol as graphql-ws's own server does: its close codes and reasons, ping/pong, one
 * connection_init, ids, `complete` both ways. Raw sockets here; graphql-ws's client and Apollo's
 * link run against it in the other realtime specs.
 */
type Message = { id?: string; type: string; payload?: unknown };

class RawSocket {
  readonly messages: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters = new Set<() => void>();

  constructor(
    readonly socket: WebSocket,
    readonly opened: Promise<unknown>,
  ) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Message);
      for (const wake of [...this.waiters]) wake();
    });
    this.closed = once(socket, 'close').then(([code, reason]) => ({
      code: code as number,
      reason: String(reason as Buffer),
    }));
  }

  static async open(t: TestApp, protocol = 'graphql-transport-ws'): Promise<RawSocket> {
    const socket = protocol ? new WebSocket(wsUrl(t), protocol) : new WebSocket(wsUrl(t));
    const raw = new RawSocket(socket, once(socket, 'open'));
    await raw.opened;
    return raw;
  }

  /** Opened and acknowledged with the token. */
  static async acked(t: TestApp, token: string): Promise<RawSocket> {
    const raw = await RawSocket.open(t);
    raw.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    await raw.message((m) => m.type === 'connection_ack');
    return raw;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (received so far or later) that matches. */
  async message(matches: (message: Message) => boolean): Promise<Message> {
    for (;;) {
      const found = this.messages.find(matches);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }
}

describe('graphql-transport-ws on /graphql', () => {
  let t: TestApp;
  let token: string;
  let sessionId: string;
  let realtime: RealtimeService;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.token('ws-protocol-co');
    realtime = t.app.get(RealtimeService);
    const created = await t.gql<{ createWhatsappSession: { id: string } }>(
      `mutation { createWhatsappSession(input: { displayName: "Protocol" }) { id } }`,
      {},
      { token },
    );
    sessionId = created.data!.createWhatsappSession.id;
  });
  afterAll(() => t.close());

  it('closes 4406 a socket that does not speak graphql-transport-ws', async () => {
    const raw = await RawSocket.open(t, '');
    expect(await raw.closed).toEqual({
      code: CloseCode.SubprotocolNotAcceptable,
      reason: 'Subprotocol not acceptable',
    });
  });

  it('closes 4408 a socket that sends no connection_init', async () => {
    const raw = await RawSocket.open(t);
    expect(await raw.closed).toEqual({
      code: CloseCode.ConnectionInitialisationTimeout,
      reason: 'Connection initialisation timeout',
    });
  });

  it('closes 4429 on a second connection_init', async () => {
    const raw = await RawSocket.acked(t, token);
    raw.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    expect(await raw.closed).toEqual({
      code: CloseCode.TooManyInitialisationRequests,
      reason: 'Too many initialisation requests',
    });
  });

  it('closes 4401 a subscribe before the connection is acknowledged', async () => {
    const raw = await RawSocket.open(t);
    raw.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } });
    expect(await raw.closed).toEqual({ code: CloseCode.Unauthorized, reason: 'Unauthorized' });
    expect(raw.messages).toEqual([]);
  });

  it.each([
    ['a message that is not JSON', 'hello', 'Invalid message received'],
    ['an unknown type', { type: 'hello' }, 'Invalid message received'],
    [
      'a subscribe without an id',
      { type: 'subscribe', payload: { query: '{ __typename }' } },
      'Invalid message received',
    ],
    [
      'a message only the server sends',
      { id: '1', type: 'next', payload: {} },
      'Unexpected message of type next received',
    ],
  ])('closes 4400 on %s', async (_name, message, reason) => {
    const raw = await RawSocket.acked(t, token);
    raw.send(message);
    expect(await raw.closed).toEqual({ code: CloseCode.BadRequest, reason });
  });

  it('answers ping with pong, before and after connection_init, with its payload', async () => {
    const raw = await RawSocket.open(t);
    raw.send({ type: 'ping' });
    expect(await raw.message((m) => m.type === 'pong')).toEqual({ type: 'pong' });
    raw.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    await raw.message((m) => m.type === 'connection_ack');
    raw.send({ type: 'ping', payload: { n: 2 } });
    expect(await raw.message((m) => m.type === 'pong' && m.payload !== undefined)).toEqual({
      type: 'pong',
      payload: { n: 2 },
    });
    raw.socket.close();
  });

  it('runs a query over the socket: next, then complete', async () => {
    const raw = await RawSocket.acked(t, token);
    raw.send({
      id: 'q',
      type: 'subscribe',
      payload: { query: '{ whatsappSessions(first: 5) { edges { node { id } } } }' },
    });
    await raw.message((m) => m.type === 'complete');
    expect(raw.messages.slice(1)).toEqual([
      {
        id: 'q',
        type: 'next',
        payload: { data: { whatsappSessions: { edges: [{ node: { id: sessionId } }] } } },
      },
      { id: 'q', type: 'complete' },
    ]);
    raw.socket.close();
  });

  it('closes 4409 on an id already in use, and a client complete ends the subscription and frees its id', async () => {
    const listening = realtime.listenerCount;
    const raw = await RawSocket.acked(t, token);
    const subscribe = {
      id: 's',
      type: 'subscribe',
      payload: { query: SESSION_UPDATED, variables: { id: sessionId } },
    };
    raw.send(subscribe);
    await raw.message((m) => m.id === 's' && m.type === 'next');
    expect(realtime.listenerCount).toBe(listening + 1);
    raw.send({ id: 's', type: 'complete' });
    await eventually(() => expect(realtime.listenerCount).toBe(listening));
    // The id is free again: the same subscription runs anew and gets its snapshot.
    raw.send(subscribe);
    await eventually(() =>
      expect(raw.messages.filter((m) => m.id === 's' && m.type === 'next')).toHaveLength(2),
    );
    raw.send(subscribe);
    expect(await raw.closed).toEqual({
      code: CloseCode.SubscriberAlreadyExists,
      reason: 'Subscriber for s already exists',
    });
    // No complete for a subscription the client ended, nor for one whose socket closed.
    expect(raw.messages.filter((m) => m.type === 'complete')).toEqual([]);
    await eventually(() => expect(realtime.listenerCount).toBe(listening));
  });

  it('holds several operations per socket, each ended on its own', async () => {
    const listening = realtime.listenerCount;
    const raw = await RawSocket.acked(t, token);
    const subscribe = (id: string) => ({
      id,
      type: 'subscribe',
      payload: { query: SESSION_UPDATED, variables: { id: sessionId } },
    });
    const snapshots = (id: string) => raw.messages.filter((m) => m.id === id && m.type === 'next').length;
    for (const id of ['a', 'b', 'c']) raw.send(subscribe(id));
    await eventually(() => expect(['a', 'b', 'c'].map(snapshots)).toEqual([1, 1, 1]));
    expect(realtime.listenerCount).toBe(listening + 3);
    raw.send({ id: 'a', type: 'complete' });
    raw.send({ id: 'c', type: 'complete' });
    await eventually(() => expect(realtime.listenerCount).toBe(listening + 1));
    raw.send(subscribe('c'));
    await eventually(() => expect(snapshots('c')).toBe(2));
    raw.send(subscribe('b'));
    expect(await raw.closed).toEqual({
      code: CloseCode.SubscriberAlreadyExists,
      reason: 'Subscriber for b already exists',
    });
    await eventually(() => expect(realtime.listenerCount).toBe(listening));
  });

  it('completes live subscriptions the server ends (shutdown ends every stream), on graphql-ws clients too', async () => {
    const client = graphqlWsClient(t, token);
    const all = subscribeWs(client, SESSIONS_UPDATED);
    const one = subscribeWs(client, SESSION_UPDATED, { id: sessionId });
    await one.collected.until((items) => items.length === 1);
    await eventually(() => expect(realtime.listenerCount).toBeGreaterThanOrEqual(2));
    realtime.endAllStreams();
    await all.collected.settled();
    await one.collected.settled();
    expect([all.collected.completed, one.collected.completed]).toEqual([true, true]);
    expect([all.collected.errors, one.collected.errors]).toEqual([[], []]);
    await client.dispose();
  });
});
