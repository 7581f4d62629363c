import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startTestApp, type TestApp } from '../support/app.js';
import { wsUrl } from './support.js';

/**
 * A dashboard developer's mistakes in a subscription (a typo in a field, a broken document, an
 * operationName that names nothing) are answered for that one operation, with the code and the
 * message Apollo gives for the same mistake on HTTP, on a socket that stays open for the
 * dashboard's other subscriptions. Before, they came back as INTERNAL_SERVER_ERROR with an
 * errorId (the field never named), and a syntax error closed the whole socket with 4500.
 */
describe('subscription request errors over graphql-ws', () => {
  let t: TestApp;
  let client: Client;
  let keeper: () => void;
  const closes: number[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    const token = await t.token('sub-errors-co');
    client = createClient({
      url: wsUrl(t),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      // One socket for the whole file, as a dashboard keeps it: never closed for being idle, so
      // any close seen here is the server's.
      lazy: false,
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    // The dashboard's live list, open on the socket the whole time: a mistake in another
    // operation must not cost it (a closed socket would show here as a close code).
    keeper = client.subscribe(
      { query: 'subscription { whatsappSessionsUpdated { deleted } }' },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
  });
  afterAll(async () => {
    keeper?.();
    await client?.dispose();
    await t?.close();
  });

  /** What the server answers one operation: its `error` payload, or its first `next`. */
  const answer = (payload: { query: string; operationName?: string; variables?: Record<string, unknown> }) =>
    new Promise<{ error?: unknown; next?: unknown }>((resolve) => {
      const dispose = client.subscribe(payload, {
        next: (next) => {
          dispose();
          resolve({ next });
        },
        error: (error) => resolve({ error }),
        complete: () => undefined,
      });
    });

  it('names the unknown field, as GRAPHQL_VALIDATION_FAILED', async () => {
    const { error } = await answer({
      query: 'subscription { whatsappSessionUpdated(id: "ws_x") { id status } }',
    });
    expect(error).toEqual([
      {
        message: 'Cannot query field "id" on type "WhatsappSessionUpdate".',
        locations: [{ line: 1, column: 53 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
      {
        message: 'Cannot query field "status" on type "WhatsappSessionUpdate".',
        locations: [{ line: 1, column: 56 }],
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
  });

  it('answers a syntax error with GRAPHQL_PARSE_FAILED and keeps the socket for the next operation', async () => {
    const { error } = await answer({ query: 'subscription { whatsappSessionUpdated(id: ' });
    expect(error).toEqual([
      {
        message: 'Syntax Error: Unexpected <EOF>.',
        locations: [{ line: 1, column: 43 }],
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      },
    ]);
    // The same socket still serves: a well-formed subscription gets its own answer.
    const { next } = await answer({
      query: 'subscription { whatsappSessionUpdated(id: "ws_nope") { deleted } }',
    });
    expect(next).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
    expect(closes).toEqual([]);
  });

  it('answers an operationName that names no operation with OPERATION_RESOLUTION_FAILURE', async () => {
    const { error } = await answer({
      query: 'subscription Live { whatsappSessionsUpdated { deleted } }',
      operationName: 'Other',
    });
    expect(error).toEqual([
      { message: 'Unable to identify operation', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } },
    ]);
    expect(closes).toEqual([]);
  });
});
