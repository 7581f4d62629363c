import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';
import { DomainError } from '../common/domain-error.js';

/**
 * Where a tenant's webhook may point: a public http(s) address. Anything else would let a tenant
 * make this service call inside its own network (SSRF): loopback, private, link-local (cloud
 * metadata at 169.254.169.254), unique-local, multicast, unspecified, and every other range
 * ipaddr.js does not call `unicast`. An operator may allow some (TENANT_WEBHOOKS_ALLOWED_PRIVATE_TARGETS).
 * The host's addresses are checked at registration and again before every delivery, and the
 * delivery connects only to the addresses checked (see WebhookSender), so a DNS answer that
 * changes in between (DNS rebinding) cannot reach a refused address.
 */

/** Stable reasons, in `extensions.details.reason` of the BAD_USER_INPUT a registration gets. */
export const TargetRefusal = {
  INVALID_URL: 'INVALID_URL',
  SCHEME_NOT_ALLOWED: 'SCHEME_NOT_ALLOWED',
  CREDENTIALS_IN_URL: 'CREDENTIALS_IN_URL',
  UNRESOLVABLE_HOST: 'UNRESOLVABLE_HOST',
  PRIVATE_ADDRESS: 'PRIVATE_ADDRESS',
} as const;
export type TargetRefusal = (typeof TargetRefusal)[keyof typeof TargetRefusal];

export class TargetRefused extends Error {
  constructor(
    readonly reason: TargetRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'TargetRefused';
  }

  toDomainError(field: string): DomainError {
    return DomainError.badInput(field, this.message, { reason: this.reason });
  }
}

/** A resolved address, as node's dns lookup gives it. */
export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

export const MAX_URL_LENGTH = 2000;

/** The URL's shape alone (no DNS): http(s), no credentials. */
export function parseTargetUrl(raw: string): URL {
  let url: URL;
  try {
    if (raw.length > MAX_URL_LENGTH) throw new Error('too long');
    url = new URL(raw);
  } catch {
    throw new TargetRefused(TargetRefusal.INVALID_URL, 'url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TargetRefused(TargetRefusal.SCHEME_NOT_ALLOWED, 'url must use http or https');
  }
  if (url.username !== '' || url.password !== '') {
    throw new TargetRefused(TargetRefusal.CREDENTIALS_IN_URL, 'url must not carry credentials');
  }
  return url;
}

/** The allowance, parsed once: single addresses become /32 or /128 ranges. */
export function parseAllowance(entries: readonly string[]): [ipaddr.IPv4 | ipaddr.IPv6, number][] {
  return entries.map((entry) => {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    const address = ipaddr.process(entry);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  });
}

function allowed(
  address: ipaddr.IPv4 | ipaddr.IPv6,
  allowance: [ipaddr.IPv4 | ipaddr.IPv6, number][],
): boolean {
  // match() wants both sides of one kind; the kinds are compared first.
  return allowance.some(
    ([range, bits]) =>
      range.kind() === address.kind() && (address as ipaddr.IPv4).match(range as ipaddr.IPv4, bits),
  );
}

/** Whether one address may be called: public unicast, or within the operator's allowance. */
export function isAllowedAddress(raw: string, allowance: [ipaddr.IPv4 | ipaddr.IPv6, number][]): boolean {
  if (!ipaddr.isValid(raw)) return false;
  // An IPv4-mapped IPv6 address (::ffff:127.0.0.1) is judged as the IPv4 address it is.
  const address = ipaddr.process(raw);
  return address.range() === 'unicast' || allowed(address, allowance);
}

/**
 * The URL's host resolved (every A/AAAA record), each address checked; the addresses to connect to.
 * A literal IP is checked as it is.
 */
export async function checkTarget(
  url: URL,
  allowance: [ipaddr.IPv4 | ipaddr.IPv6, number][],
): Promise<CheckedAddress[]> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: CheckedAddress[];
  if (ipaddr.isValid(host)) {
    addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv4' ? 4 : 6 }];
  } else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })) as CheckedAddress[];
    } catch {
      throw new TargetRefused(TargetRefusal.UNRESOLVABLE_HOST, `url's host ${host} does not resolve`);
    }
    if (addresses.length === 0) {
      throw new TargetRefused(TargetRefusal.UNRESOLVABLE_HOST, `url's host ${host} does not resolve`);
    }
  }
  if (!addresses.every(({ address }) => isAllowedAddress(address, allowance))) {
    throw new TargetRefused(
      TargetRefusal.PRIVATE_ADDRESS,
      'url must point to a public address (not private, loopback, link-local or the like)',
    );
  }
  return addresses;
}
