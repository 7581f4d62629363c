/**
 * What a phone (or a test) does to a simulated WAHA, as plain methods: link, messages arriving,
 * acks, reactions, edits, revokes, groups, LIDs, media expiry, lost connections. The HTTP
 * control API (control-routes.ts) and the object startWahaSimulator returns both call these.
 */
import type { MeInfo, WahaAck } from '../../../src/waha/waha.types.js';
import { createGroup, type CreateGroupInput, setLid } from './sim-directory.js';
import type { SimEngine } from './sim-engine.js';
import { SimControlError } from './sim-errors.js';
import { deliverInbound, type SimInboundInput } from './sim-inbound.js';
import { edit, type ReactInput, react, revoke } from './sim-message-events.js';
import {
  linkWithPasskey,
  passkeyApprove,
  passkeyConfirm,
  setCapping,
  setTimelock,
  type SimCapping,
  type SimTimelock,
} from './sim-limits.js';
import { sessionState } from './sim-session.js';

const ACK_BY_NAME: Record<string, WahaAck> = {
  ERROR: -1,
  PENDING: 0,
  SERVER: 1,
  DEVICE: 2,
  READ: 3,
  PLAYED: 4,
};

export function phoneControls(engine: SimEngine) {
  const session = (name: string) => {
    if (!engine.has(name)) throw new SimControlError(404, `no session ${name}`);
    return engine.get(name);
  };
  const { messaging } = engine;

  return {
    link: (name: string, me?: Partial<MeInfo>) => {
      const s = session(name);
      engine.link(s, me);
      return sessionState(s);
    },
    linkWithPasskey: (name: string, options: { me?: Partial<MeInfo>; confirmWithCode?: boolean } = {}) => {
      const s = session(name);
      linkWithPasskey(engine, s, options);
      return sessionState(s);
    },
    passkeyApprove: (name: string) => {
      const s = session(name);
      passkeyApprove(engine, s);
      return sessionState(s);
    },
    passkeyConfirm: (name: string) => {
      const s = session(name);
      passkeyConfirm(engine, s);
      return sessionState(s);
    },
    setCapping: (name: string, capping: Partial<SimCapping> | null) => {
      const s = session(name);
      setCapping(engine, s, capping);
      return sessionState(s);
    },
    setTimelock: (name: string, timelock: Partial<SimTimelock> | null) => {
      const s = session(name);
      setTimelock(engine, s, timelock);
      return sessionState(s);
    },
    inbound: (name: string, input: SimInboundInput) => deliverInbound(messaging, session(name), input),
    ack: (name: string, messageId: string, ack: WahaAck | string) => {
      const value = typeof ack === 'string' ? ACK_BY_NAME[ack.toUpperCase()] : ack;
      if (value === undefined || ![-1, 0, 1, 2, 3, 4].includes(value)) {
        throw new SimControlError(400, 'ack must be -1..4 or ERROR|PENDING|SERVER|DEVICE|READ|PLAYED');
      }
      return messaging.ack(session(name), messageId, value);
    },
    react: (name: string, input: ReactInput) => react(messaging, session(name), input),
    edit: (name: string, input: { messageId: string; body: string }) => edit(messaging, session(name), input),
    revoke: (name: string, input: { messageId: string }) => revoke(messaging, session(name), input),
    expireMedia: (name: string, messageId: string) => {
      const s = session(name);
      messaging.require(s, messageId);
      return { expired: messaging.files.expireMessage(s.name, messageId) };
    },
    createGroup: (name: string, input: CreateGroupInput) => createGroup(session(name), input),
    setLid: (name: string, lid: string, pn: string) => setLid(session(name), lid, pn),
    disconnect: (name: string, opts: { loggedOut?: boolean } = {}) => {
      const s = session(name);
      engine.disconnect(s, opts.loggedOut === true);
      return sessionState(s);
    },
    fail: (name: string, reason?: string) => {
      const s = session(name);
      engine.fail(s, reason ?? 'Simulated failure');
      return sessionState(s);
    },
    duplicateNextWebhooks: (count: number) => {
      if (!Number.isInteger(count) || count < 0)
        throw new SimControlError(400, 'count must be an integer >= 0');
      engine.duplicateNextWebhooks(count);
    },
    setNumberExists: (phone: string, exists: boolean) => messaging.setNumberExists(phone, exists),
    session: (name: string) => (engine.has(name) ? sessionState(engine.get(name)) : undefined),
  };
}
