/**
 * session.create, the one workflow with a loop: it creates the session, waits (bounded) for WAHA
 * to start it, reports the first QR or the pairing code (or WORKING / FAILED) and ends. Every later
 * QR is session.fetchQr's, queued by the service for WAHA's SCAN_QR_CODE webhook (n8n/CONTRACT.md).
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

  it('polls until SCAN_QR_CODE, then fetches the QR or requests the code by the auth method', () => {
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

  it('ends the run once the first QR or the pairing code is reported: one producer per QR', () => {
    const workflow = create();
    // The first QR is reported once, as the first of WAHA's series; nothing follows the report.
    const reportsQr = ofType(workflow, 'graphql').filter((node) =>
      String(node.parameters['query']).startsWith('mutation ReportQr('),
    );
    expect(reportsQr.map((node) => node.name)).toEqual(['Report QR']);
    expect(String(byName(workflow, 'Report QR').parameters['variables'])).toContain('sequence: 1');
    for (const report of ['Report QR', 'Report pairing code', 'Report session status'])
      expect({ report, next: targets(workflow, report, 0) }).toEqual({ report, next: [] });
    // The only loop waits for WAHA to start the session, bounded by the start deadline; nothing
    // after the QR fetch or the code request goes back to it or calls WAHA again.
    expect(ofType(workflow, 'wait').map((node) => node.name)).toEqual(['Wait for the session to start']);
    expect(String(byName(workflow, 'Check session status').parameters['jsCode'])).toContain(
      `> ${CREATE_START_DEADLINE_MS})`,
    );
    const wahaCalls = new Set(ofType(workflow, 'httpRequest').map((node) => node.name));
    for (const step of ['Fetch QR', 'Request pairing code']) {
      const after = [...downstream(step)];
      expect({ step, waits: after.filter((name) => name.startsWith('Wait')) }).toEqual({ step, waits: [] });
      expect({ step, wahaCalls: after.filter((name) => wahaCalls.has(name)) }).toEqual({
        step,
        wahaCalls: [],
      });
    }
  });
});
