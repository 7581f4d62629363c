/**
 * The workflows' Code nodes run here on the answers WAHA gives (and the envelopes and failures
 * they meet), as n8n's task runner would run them.
 */
import { describe, expect, it } from '@jest/globals';

import { ERROR_WORKFLOW_ID } from '../../n8n/build/names.js';
import { runCode, targets, workflowOf } from './support.js';

describe('n8n workflows (their Code nodes on what WAHA answers)', () => {
  const create = () => workflowOf('whHubSessionCreate');
  const refused = (cause: Record<string, unknown>) => ({ error: cause, details: {} });

  it('describes a refused WAHA call with its status and message, and an unanswered one with the cause', () => {
    const fail = (answer: unknown) => runCode(create(), 'Check create', answer)[0]!.json['failure'];
    expect(
      fail({ statusCode: 503, body: { statusCode: 503, message: 'Busy', error: 'Service Unavailable' } }),
    ).toEqual({
      reason: 'WAHA refused POST /api/sessions',
      wahaStatusCode: 503,
      wahaMessage: 'Busy',
      status: null,
    });
    expect(fail({ statusCode: 401, body: { message: 'Unauthorized', statusCode: 401 } })).toMatchObject({
      wahaStatusCode: 401,
      wahaMessage: 'Unauthorized',
    });
    expect(
      fail({ statusCode: 400, body: { message: ['name must be …', 'start must be a boolean value'] } }),
    ).toMatchObject({
      wahaMessage: 'name must be …; start must be a boolean value',
    });
    expect(fail(refused({ message: 'connect ECONNREFUSED 127.0.0.1:3000', code: 'ECONNREFUSED' }))).toEqual({
      reason: 'WAHA did not answer POST /api/sessions: connect ECONNREFUSED 127.0.0.1:3000; ECONNREFUSED',
      wahaStatusCode: null,
      wahaMessage: null,
      status: null,
    });
    expect(fail(refused({ code: 'ECONNABORTED' }))).toMatchObject({
      reason: 'WAHA did not answer POST /api/sessions: ECONNABORTED',
    });
  });

  it('answers a QR fetch that came after the link with the status WAHA gave, not with a failure', () => {
    const fetchQr = workflowOf('whHubSessionFetchQr');
    const route = (answer: unknown) => runCode(fetchQr, 'Check WAHA answer', answer)[0]!.json;
    expect(route({ statusCode: 200, body: { value: 'q' } }).route).toBe(0);
    const moved = route({
      statusCode: 422,
      body: {
        error: 'Session status is not as expected.',
        session: 's',
        status: 'WORKING',
        expected: ['SCAN_QR_CODE'],
      },
    });
    expect(moved).toMatchObject({ route: 2, failure: { status: 'WORKING' } });
    expect(targets(fetchQr, 'Succeeded?', 2)).toEqual(['Report the status WAHA gave']);
    expect(route({ statusCode: 404, body: { message: 'Session not found' } }).route).toBe(1);
  });

  it("reads WAHA's message id from each engine's sendText answer", () => {
    const send = workflowOf('whHubMessageSend');
    const id = (body: unknown) =>
      runCode(
        send,
        'Check sent',
        { statusCode: 201, body },
        { 'Compose message': { path: '/api/sendText' } },
      )[0]!.json;
    expect(id({ id: 'true_491@c.us_AAA' })).toEqual({ route: 0, wahaMessageId: 'true_491@c.us_AAA' });
    expect(id({ id: { fromMe: true, _serialized: 'true_491@c.us_BBB' } }).wahaMessageId).toBe(
      'true_491@c.us_BBB',
    );
    expect(id({ key: { remoteJid: '491@s.whatsapp.net', fromMe: true, id: 'CCC' } }).wahaMessageId).toBe(
      'true_491@c.us_CCC',
    );
    expect(id({ something: 'else' })).toMatchObject({ route: 1, failure: { wahaStatusCode: 201 } });
  });

  it('fails a message to a number that is not on WhatsApp, and sends to the chat WAHA names otherwise', () => {
    const send = workflowOf('whHubMessageSend');
    const check = (body: unknown) =>
      runCode(
        send,
        'Check number result',
        { statusCode: 200, body },
        {
          Command: { payload: { phoneNumber: '4915100000000', messageId: 'm1' } },
        },
      )[0]!.json;
    expect(check({ numberExists: false })).toMatchObject({
      route: 1,
      failure: { reason: '+4915100000000 is not on WhatsApp: nothing was sent' },
    });
    expect(check({ numberExists: true, chatId: '4915100000000@c.us' })).toEqual({
      route: 0,
      chatId: '4915100000000@c.us',
    });
  });

  it('refuses an envelope whose session id could not be a WAHA session name, tagged for the error workflow', () => {
    const body = { commandId: 'c1', type: 'session.stop', sessionId: '../api/sessions', payload: {} };
    expect(() => runCode(workflowOf('whHubSessionStop'), 'Command', { body })).toThrow(
      '[whatsapp-hub session=../api/sessions command=c1 message=-] Invalid session.stop command: sessionId is not a WAHA session name',
    );
  });

  it('attributes a tagged failure to its message, else its session, and leaves untagged ones to n8n', () => {
    const errors = workflowOf(ERROR_WORKFLOW_ID);
    const attribute = (message: string) =>
      runCode(errors, 'Attribute the failure', {
        execution: { id: '7', error: { message }, lastNodeExecuted: 'Write-back failed' },
        workflow: { id: 'whHubMessageSend', name: 'whatsapp-hub: message.send' },
      });
    expect(attribute('[whatsapp-hub session=ws_1 command=c1 message=m1] boom [line 8]')).toEqual([
      {
        json: {
          route: 1,
          variables: {
            input: {
              messageId: 'm1',
              commandId: 'c1',
              reason: 'n8n workflow "whatsapp-hub: message.send" failed at "Write-back failed": boom',
            },
          },
        },
      },
    ]);
    expect(attribute('[whatsapp-hub session=ws_1 command=c1 message=-] boom')[0]!.json).toMatchObject({
      route: 0,
      variables: { input: { sessionId: 'ws_1', commandId: 'c1' } },
    });
    expect(attribute('Cannot read properties of undefined')).toEqual([]);
  });
});
