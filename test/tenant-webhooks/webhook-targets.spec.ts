import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postWebhook } from '../../src/tenant-webhooks/webhook-sender.js';
import { isAllowedAddress, parseAllowance } from '../../src/tenant-webhooks/webhook-targets.js';
import { startReceiver, type Receiver } from './receiver.js';

describe('webhook targets', () => {
  it.each([
    ['93.184.215.14', true],
    ['2606:2800:21f:cb07:6820:80da:af6b:8b2c', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.16.0.1', false],
    ['192.168.0.1', false],
    ['100.64.0.1', false],
    ['169.254.169.254', false],
    ['0.0.0.0', false],
    ['255.255.255.255', false],
    ['224.0.0.251', false],
    ['::1', false],
    ['::', false],
    ['fe80::1', false],
    ['fd12:3456::1', false],
    ['ff02::1', false],
    ['::ffff:10.0.0.1', false],
    ['not an address', false],
  ])('%s is allowed: %s', (address, allowed) => {
    expect(isAllowedAddress(address, [])).toBe(allowed);
  });

  it('lets an operator allow single addresses and ranges, and nothing beside them', () => {
    const allowance = parseAllowance(['127.0.0.1', '10.20.0.0/16', 'fd00::/8']);
    expect(isAllowedAddress('127.0.0.1', allowance)).toBe(true);
    expect(isAllowedAddress('::ffff:127.0.0.1', allowance)).toBe(true);
    expect(isAllowedAddress('127.0.0.2', allowance)).toBe(false);
    expect(isAllowedAddress('10.20.255.1', allowance)).toBe(true);
    expect(isAllowedAddress('10.21.0.1', allowance)).toBe(false);
    expect(isAllowedAddress('fd00::5', allowance)).toBe(true);
    expect(isAllowedAddress('169.254.169.254', allowance)).toBe(false);
  });

  describe('sending', () => {
    let receiver: Receiver;
    beforeAll(async () => {
      receiver = await startReceiver();
    });
    afterAll(() => receiver.close());

    it('connects only to the addresses checked, whatever DNS would answer now (no rebinding)', async () => {
      const port = new URL(receiver.url).port;
      // A name no resolver knows: the request still reaches the checked address, so it never asked DNS.
      const result = await postWebhook(
        `http://rebinding.invalid:${port}/pinned`,
        [{ address: '127.0.0.1', family: 4 }],
        { 'content-type': 'application/json' },
        '{}',
        3000,
      );
      expect(result).toMatchObject({ ok: true, statusCode: 200, error: null });
      expect(receiver.received('/pinned')).toHaveLength(1);
      expect(receiver.received('/pinned')[0]!.headers.host).toBe(`rebinding.invalid:${port}`);
    });

    it('keeps at most 256 bytes of an answer and counts a refused connection as a failure', async () => {
      const answered = await postWebhook(
        `${receiver.url}/long`,
        [{ address: '127.0.0.1', family: 4 }],
        {},
        '{}',
        3000,
      );
      expect(Buffer.byteLength(answered.excerpt!)).toBe(256);
      const closed = await postWebhook(
        `http://127.0.0.1:1/`,
        [{ address: '127.0.0.1', family: 4 }],
        {},
        '{}',
        3000,
      );
      expect(closed).toMatchObject({
        ok: false,
        statusCode: null,
        error: expect.stringContaining('ECONNREFUSED'),
      });
    });
  });
});
