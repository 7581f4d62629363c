import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect } from '@jest/globals';
import { ApolloClient, gql, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { type Client, createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { freePort } from '../tools/devstack/process.js';
import { type GraphqlResult, type TestApp } from '../support/app.js';
import { eventually } from '../support/eventually.js';
import { internalGql } from '../support/internal-api.js';

/** What the dashboard selects on a session update. */
export const UPDATE_FIELDS = `
  deleted
  session {
    id displayName status authMethod phoneNumber updatedAt
    qr { value expiresAt sequence pngDataUrl }
    pairingCode { code expiresAt }
    me { wahaId pushName }
    lastError { message at }
  }
`;

export const SESSION_UPDATED = `subscription($id: ID!) { whatsappSessionUpdated(id: $id) { ${UPDATE_FIELDS} } }`;
export const SESSIONS_UPDATED = `subscription { whatsappSessionsUpdated { ${UPDATE_FIELDS} } }`;

export interface SessionUpdate {
  deleted: boolean;
  session: {
    id: string;
    displayName: string;
    status: string;
    authMethod: string;
    phoneNumber: string | null;
    updatedAt: string;
    qr: { value: string; expiresAt: string | null; sequence: number | null; pngDataUrl: string } | null;
    pairingCode: { code: string; expiresAt: string | null } | null;
    me: { wahaId: string; pushName: string | null } | null;
    lastError: { message: string; at: string | null } | null;
  };
}

export function wsUrl(t: TestApp): string {
  return `${t.url.replace(/^http/, 'ws')}/graphql`;
}

/** Items arriving over time, and a way to wait (without a clock) until they satisfy a condition. */
export class Collected<T> {
  readonly items: T[] = [];
  errors: unknown[] = [];
  completed = false;
  private readonly waiters = new Set<() => void>();

  push = (item: T): void => {
    this.items.push(item);
    this.wake();
  };

  fail = (error: unknown): void => {
    this.errors.push(error);
    this.wake();
  };

  complete = (): void => {
    this.completed = true;
    this.wake();
  };

  /** Resolves once `condition` holds (checked on every arrival); jest's timeout bounds it. */
  async until(condition: (items: T[]) => boolean): Promise<T[]> {
    while (!condition(this.items)) {
      if (this.errors.length > 0) throw new Error(`Subscription failed: ${JSON.stringify(this.errors)}`);
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
    return this.items;
  }

  async settled(): Promise<void> {
    while (!this.completed && this.errors.length === 0) {
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}

/** A graphql-ws client as a dashboard opens it: the JWT in connection_init. */
export function graphqlWsClient(t: TestApp, token: string): Client {
  return createClient({
    url: wsUrl(t),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
}

export function subscribeWs<T>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const collected = new Collected<T>();
  const dispose = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) collected.fail(result.errors);
        else collected.push(result.data as T);
      },
      error: collected.fail,
      complete: collected.complete,
    },
  );
  return { collected, dispose };
}

/** The dashboard's own client: Apollo Client with GraphQLWsLink. */
export function apolloClient(t: TestApp, token: string) {
  const ws = graphqlWsClient(t, token);
  const client = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
  return {
    client,
    subscribe<T>(query: string, variables: Record<string, unknown> = {}) {
      const collected = new Collected<T>();
      const subscription = client.subscribe<T>({ query: gql(query), variables }).subscribe({
        next: (result) => {
          if (result.error) collected.fail(result.error);
          else collected.push(result.data as T);
        },
        error: collected.fail,
        complete: collected.complete,
      });
      return { collected, dispose: () => subscription.unsubscribe() };
    },
    async close() {
      client.stop();
      await ws.dispose();
    },
  };
}

/** A write-back as n8n sends it: the internal API with the n8n key. */
export async function report<T = Record<string, unknown>>(
  t: TestApp,
  mutation: 'reportQr' | 'reportSessionStatus' | 'reportPairingCode' | 'reportSessionFailure',
  input: Record<string, unknown>,
): Promise<GraphqlResult<T>> {
  const inputType = `${mutation[0]!.toUpperCase()}${mutation.slice(1)}Input`;
  const result = await internalGql<T>(
    t,
    `mutation($input: ${inputType}!) { ${mutation}(input: $input) { id status } }`,
    { input },
  );
  if (result.errors) throw new Error(`${mutation} failed: ${JSON.stringify(result.errors)}`);
  return result;
}

export { freePort };

/** A redis-server of this test's own (the system Redis is shared), stoppable and restartable by PID. */
export class OwnRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort());
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.child = child;
    const probe = new Redis(this.url, {
      lazyConnect: true,
      retryStrategy: () => 20,
      maxRetriesPerRequest: null,
    });
    probe.on('error', () => undefined);
    await probe.connect().catch(() => undefined);
    await probe.ping();
    probe.disconnect();
  }

  /**
   * Freezes it (SIGSTOP): the process is there and its sockets stay connected, but nothing
   * answers, as in a network partition.
   */
  freeze(): void {
    if (this.child?.exitCode === null) process.kill(this.child.pid!, 'SIGSTOP');
  }

  thaw(): void {
    if (this.child?.exitCode === null && this.child.signalCode === null)
      process.kill(this.child.pid!, 'SIGCONT');
  }

  /** Stops it hard, as a crash or a network cut would (thawed first, should it be frozen). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.child = undefined;
    const exited = once(child, 'exit');
    process.kill(child.pid!, 'SIGCONT');
    process.kill(child.pid!, 'SIGKILL');
    await exited;
  }
}

const SESSIONS_BY_NAME = `{ whatsappSessions(first: 50) { edges { node { id displayName } } } }`;

/** The id of the session named `displayName`, once its row is committed (a create still waiting for its QR). */
export async function sessionIdNamed(t: TestApp, token: string, displayName: string): Promise<string> {
  return eventually(async () => {
    const list = await t.gql<{
      whatsappSessions: { edges: { node: { id: string; displayName: string } }[] };
    }>(SESSIONS_BY_NAME, {}, { token });
    const names = list.data?.whatsappSessions.edges.map((e) => e.node.displayName);
    expect(names).toContain(displayName);
    return list.data!.whatsappSessions.edges.find((e) => e.node.displayName === displayName)!.node.id;
  });
}
