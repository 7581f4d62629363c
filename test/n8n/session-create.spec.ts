/**
 * session.create, the one workflow with a loop: it creates the session, waits (bounded) for WAHA
 * to start it, and ends: for QR with nothing more (every QR, the first included, is
 * session.fetchQr's, queued by the service for WAHA's SCAN_QR_CODE webhook), for PHONE_CODE once
 * it reported the pairing code; WORKING / FAILED seen while waiting are reported (n8n/CONTRACT.md).
 */
import { describe, expect, it } from '@jest/globals';

import { CREATE_START_DEADLINE_MS } from '../../n8n/build/names.js';
import { byName, ofType, runCode, targets, workflowOf } from './support.js';

describe('session.create workflow', () => {
  const create = () => workflowOf('whHubSessionCreate');

  /** Every node a run can reach from `from`, following every output. */
  const downstream = (from: string): Set<string> => {
    const seen = new Set<string>();
    const queue = [from];
    while (queue.length > 0)
      for (const output of create().connections[queue.shift()!]?.main ?? [])
        for (const { node } of output)
          if (!seen.has(node)) {
            seen.add(node);
            queue.push(node);
          }
    return seen;
  };

  it('counts a created session, and a 422 "already exists" from a redelivered command, as created', () => {
    const route = (answer: unknown) => runCode(create(), 'Check create', answer)[0]!.json['route'];
    expect(route({ statusCode: 201, body: { name: 'ws_1', status: 'STARTING' } })).toBe(0);
    expect(
      route({
        statusCode: 422,
        body: { statusCode: 422, message: "Session 'ws_1' already exists. Use PUT to update it." },
      }),
    ).toBe(0);
    expect(route({ statusCode: 422, body: { statusCode: 422, message: 'Something else' } })).toBe(1);
  });

  it('polls until SCAN_QR_CODE, then ends (QR) or requests the code (PHONE_CODE) by the auth method', () => {
    const route = (status: string, authMethod: string, receivedAt = Date.now()) =>
      runCode(
        create(),
        'Check session status',
        { statusCode: 200, body: { name: 'ws_1', status } },
        {
          Command: { payload: { authMethod }, receivedAt },
        },
      )[0]!.json;
    expect(route('STARTING', 'QR').route).toBe(0);
    expect(route('SCAN_QR_CODE', 'QR').route).toBe(1);
    expect(route('SCAN_QR_CODE', 'PHONE_CODE').route).toBe(2);
    expect(route('WORKING', 'QR').route).toBe(3);
    expect(route('FAILED', 'QR').route).toBe(4);
    const late = route('STARTING', 'QR', Date.now() - 61_000);
    expect(late).toMatchObject({
      route: 5,
      failure: {
        reason: 'WAHA session did not reach SCAN_QR_CODE within 60 s (status STARTING)',
        status: 'STARTING',
      },
    });
  });

  it('reports WORKING with the linked account, only with the fields the internal API takes', () => {
    const out = runCode(
      create(),
      'Check session status',
      {
        statusCode: 200,
        body: { status: 'WORKING', me: { id: '491@c.us', pushName: 'Shop', lid: '1@lid' } },
      },
      { Command: { payload: { authMethod: 'QR' }, receivedAt: Date.now() } },
    )[0]!.json;
    expect(out).toMatchObject({ route: 3, status: 'WORKING', me: { id: '491@c.us', pushName: 'Shop' } });
    expect(targets(create(), 'Route session status', 3)).toEqual(['Report session status']);
    expect(targets(create(), 'Route session status', 4)).toEqual(['Report session status']);
  });

  it("fetches no QR: one producer per QR, WAHA's SCAN_QR_CODE webhook -> session.fetchQr", () => {
    const workflow = create();
    // Nothing in the run reports a QR, nor asks WAHA for one.
    const reportsQr = ofType(workflow, 'graphql').filter((node) =>
      String(node.parameters['query']).includes('reportQr('),
    );
    expect(reportsQr.map((node) => node.name)).toEqual([]);
    const wahaPaths = ofType(workflow, 'httpRequest').map((node) => String(node.parameters['url']));
    expect(wahaPaths.filter((url) => url.includes('/auth/qr'))).toEqual([]);
    // SCAN_QR_CODE of a QR session ends the run there: no write-back, no WAHA call, no wait after it.
    const qrBranch = targets(workflow, 'Route session status', 1);
    expect(qrBranch).toEqual(['QR comes from session.fetchQr']);
    expect(byName(workflow, qrBranch[0]!).type).toBe('n8n-nodes-base.noOp');
    expect(targets(workflow, qrBranch[0]!, 0)).toEqual([]);
  });

  it('requests the pairing code of a PHONE_CODE session and reports it: no webhook announces codes', () => {
    const workflow = create();
    expect(targets(workflow, 'Route session status', 2)).toEqual(['Request pairing code']);
    expect(String(byName(workflow, 'Request pairing code').parameters['url'])).toContain(
      "'/auth/request-code'",
    );
    expect([...downstream('Request pairing code')]).toContain('Report pairing code');
    expect(String(byName(workflow, 'Report pairing code').parameters['query'])).toContain(
      'reportPairingCode(',
    );
  });

  it('ends the run once it saw SCAN_QR_CODE, WORKING or FAILED and reported the code or the status', () => {
    const workflow = create();
    for (const report of ['Report pairing code', 'Report session status'])
      expect({ report, next: targets(workflow, report, 0) }).toEqual({ report, next: [] });
    // The only loop waits for WAHA to start the session, bounded by the start deadline; nothing
    // after the code request goes back to it or calls WAHA again.
    expect(ofType(workflow, 'wait').map((node) => node.name)).toEqual(['Wait for the session to start']);
    expect(String(byName(workflow, 'Check session status').parameters['jsCode'])).toContain(
      `> ${CREATE_START_DEADLINE_MS})`,
    );
    const wahaCalls = new Set(ofType(workflow, 'httpRequest').map((node) => node.name));
    const after = [...downstream('Request pairing code')];
    expect(after.filter((name) => name.startsWith('Wait'))).toEqual([]);
    expect(after.filter((name) => wahaCalls.has(name))).toEqual([]);
  });
});
