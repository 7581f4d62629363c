import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';

import { ulid } from 'ulid';

import type {
  MeInfo,
  SessionConfig,
  WAHAEnvironment,
  WahaSessionStatus,
} from '../../../src/waha/waha.types.js';
import { SimControlError, WahaHttpError } from './sim-errors.js';
import { meWithLimits, noLimits } from './sim-limits.js';
import { DEFAULT_FILES_LIFETIME_MS, SimFileStore } from './sim-media.js';
import { SimMessaging } from './sim-messaging.js';
import { issueQr, qrWindowEnd, scaled, WAHA_CLOCK } from './sim-qr-clock.js';
import { forgetAccount, type SimEngineOptions, type SimSession } from './sim-session.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

export type { SimEngineName } from './sim-session.js';

/** The spec the simulator follows (its capping and timelock are WAHA 2026.8's, not yet in a spec here). */
export const WAHA_VERSION = '2026.7.1';
const STATUS_HISTORY = 10;

/**
 * The state of a simulated WAHA: sessions and their status machine on WAHA's clock; their chats
 * and messages are SimMessaging's. HTTP lives in waha-simulator.ts; this class knows nothing of it.
 */
export class SimEngine {
  readonly events = new EventEmitter();
  readonly dispatcher: WebhookDispatcher;
  readonly messaging: SimMessaging;
  readonly startedAt = Date.now();
  private readonly sessions = new Map<string, SimSession>();
  private duplicatesLeft = 0;
  /** Where WAHA is reached (media URLs start with it); set once the server listens. */
  baseUrl = '';

  constructor(readonly options: SimEngineOptions) {
    this.events.setMaxListeners(0);
    this.dispatcher = new WebhookDispatcher({
      timeScale: options.timeScale,
      takeDuplicate: () => {
        if (this.duplicatesLeft <= 0) return false;
        this.duplicatesLeft--;
        return true;
      },
    });
    this.messaging = new SimMessaging(
      options.engine,
      (session, event, payload) => this.emit(session, event, payload),
      new SimFileStore(scaled(options.filesLifetimeMs ?? DEFAULT_FILES_LIFETIME_MS, options.timeScale)),
      () => this.baseUrl,
    );
  }

  get environment(): WAHAEnvironment {
    return {
      version: WAHA_VERSION,
      engine: this.options.engine,
      tier: 'PLUS',
      browser: this.options.engine === 'WEBJS' ? '/usr/bin/chromium' : '',
      platform: `${process.platform}/${process.arch}`,
      worker: { id: 'waha-sim' },
    };
  }

  // ------------------------------------------------------------ lifecycle

  has(name: string): boolean {
    return this.sessions.has(name);
  }

  get(name: string): SimSession {
    const session = this.sessions.get(name);
    if (!session) throw WahaHttpError.notFound();
    return session;
  }

  list(all: boolean): SimSession[] {
    return [...this.sessions.values()].filter((s) => all || s.status !== 'STOPPED');
  }

  create(name: string, config: SessionConfig | undefined, start: boolean): SimSession {
    if (this.sessions.has(name)) {
      throw WahaHttpError.unprocessable(`Session '${name}' already exists. Use PUT to update it.`);
    }
    const session: SimSession = {
      name,
      status: 'STOPPED',
      config,
      me: null,
      qr: null,
      qrWindowEndsAt: null,
      pairingCode: null,
      failureReason: null,
      passkey: null,
      limits: noLimits(),
      statuses: [{ status: 'STOPPED', timestamp: Date.now() }],
      activity: null,
      typing: new Set(),
      chats: new Map(),
      groups: new Map(),
      lids: new Map(),
      timer: null,
    };
    this.sessions.set(name, session);
    if (start) this.start(session);
    return session;
  }

  update(session: SimSession, config: SessionConfig | undefined): void {
    const wasRunning = session.status !== 'STOPPED';
    if (wasRunning) this.stop(session);
    session.config = config;
    if (wasRunning) this.start(session);
  }

  /** WAHA's start is idempotent: a session that runs (even FAILED) is left alone. */
  start(session: SimSession): void {
    if (session.status !== 'STOPPED') return;
    this.boot(session);
  }

  stop(session: SimSession): void {
    this.clearTimer(session);
    this.clearPairing(session);
    session.typing.clear();
    if (session.status !== 'STOPPED') this.setStatus(session, 'STOPPED');
  }

  restart(session: SimSession): void {
    this.stop(session);
    this.boot(session);
  }

  logout(session: SimSession): void {
    const wasRunning = session.status !== 'STOPPED';
    this.stop(session);
    forgetAccount(session);
    if (wasRunning) this.boot(session);
  }

  delete(name: string): void {
    const session = this.sessions.get(name);
    if (!session) return; // WAHA: idempotent
    this.stop(session);
    this.sessions.delete(name);
    this.events.emit('deleted', name);
  }

  /** The phone scanned the QR or entered the pairing code. */
  link(session: SimSession, me?: Partial<MeInfo>): void {
    if (session.status !== 'SCAN_QR_CODE') {
      throw new SimControlError(
        409,
        `session ${session.name} is ${session.status}; linking needs SCAN_QR_CODE`,
      );
    }
    const digits = me?.id?.replace(/@.*$/, '') ?? `1555${String(randomInt(1_000_000, 9_999_999))}`;
    session.me = {
      id: me?.id ?? `${digits}@c.us`,
      pushName: me?.pushName ?? 'Simulated Phone',
      ...(me?.lid ? { lid: me.lid } : {}),
      jid: me?.jid ?? `${digits}:${randomInt(1, 40)}@s.whatsapp.net`,
    };
    this.clearTimer(session);
    this.clearPairing(session);
    this.setStatus(session, 'WORKING');
  }

  /** The connection dropped (WAHA reconnects), or the phone removed the device (`loggedOut`). */
  disconnect(session: SimSession, loggedOut: boolean): void {
    if (session.status !== 'WORKING') {
      throw new SimControlError(
        409,
        `session ${session.name} is ${session.status}; disconnecting needs WORKING`,
      );
    }
    this.clearTimer(session);
    if (loggedOut) forgetAccount(session);
    this.boot(session);
  }

  fail(session: SimSession, reason: string): void {
    this.clearTimer(session);
    this.clearPairing(session);
    session.failureReason = reason;
    this.setStatus(session, 'FAILED');
  }

  /** Resolves true once the session is in one of `expected`, false after `timeoutMs` or deletion. */
  waitForStatus(name: string, expected: readonly WahaSessionStatus[], timeoutMs: number): Promise<boolean> {
    const current = this.sessions.get(name);
    if (!current) return Promise.resolve(false);
    if (expected.includes(current.status)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (result: boolean) => {
        clearTimeout(timer);
        this.events.off('status', onStatus);
        this.events.off('deleted', onDeleted);
        resolve(result);
      };
      const onStatus = (session: string, status: WahaSessionStatus) => {
        if (session === name && expected.includes(status)) done(true);
      };
      const onDeleted = (session: string) => {
        if (session === name) done(false);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.events.on('status', onStatus);
      this.events.on('deleted', onDeleted);
    });
  }

  /** WAHA's guard: wait (scaled) for the status, else 422 `{error, session, status, expected}`. */
  async requireStatus(name: string, expected: WahaSessionStatus[]): Promise<SimSession> {
    const session = this.get(name);
    const ok = await this.waitForStatus(name, expected, WAHA_CLOCK.statusWaitMs * this.options.timeScale);
    const now = this.get(name);
    if (!ok) throw WahaHttpError.wrongStatus(name, now.status, expected);
    return session;
  }

  // ------------------------------------------------------------ pairing

  requestCode(session: SimSession, phoneNumber: string): string {
    const letters = 'ABCDEFGHJKLMNPQRSTVWXYZ';
    const pick = () => Array.from({ length: 4 }, () => letters[randomInt(letters.length)]).join('');
    const code = `${pick()}-${pick()}`;
    session.pairingCode = { code, phoneNumber, expiresAt: session.qrWindowEndsAt ?? Date.now() };
    return code;
  }

  // ------------------------------------------------------------ control

  duplicateNextWebhooks(count: number): void {
    this.duplicatesLeft = count;
  }

  setTyping(session: SimSession, chatId: string, typing: boolean): void {
    if (typing) session.typing.add(chatId);
    else session.typing.delete(chatId);
  }

  reset(): void {
    for (const name of [...this.sessions.keys()]) this.delete(name);
    this.messaging.clearNumbers();
    this.messaging.files.clear();
    this.duplicatesLeft = 0;
    this.dispatcher.clearLog();
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) this.clearTimer(session);
    await this.dispatcher.close();
  }

  // ------------------------------------------------------------ internals

  private boot(session: SimSession): void {
    session.failureReason = null;
    this.setStatus(session, 'STARTING');
    this.schedule(session, WAHA_CLOCK.startingMs, () => {
      if (session.me) this.setStatus(session, 'WORKING');
      else this.beginQrWindow(session);
    });
  }

  private beginQrWindow(session: SimSession): void {
    const startedAt = Date.now();
    session.qrWindowEndsAt = qrWindowEnd(startedAt, this.options.timeScale);
    this.nextQr(session, 1, startedAt);
  }

  /**
   * QR `index` of the window, issued at `issuedAt`: the previous one's expiry, so the series keeps
   * to its schedule however late a timer fires, and each QR expires the moment the next is issued.
   */
  private nextQr(session: SimSession, index: number, issuedAt: number): void {
    session.qr = issueQr(index, issuedAt, this.options.timeScale);
    const { expiresAt } = session.qr;
    // Every QR, the first and each rotation, is a session.status event with SCAN_QR_CODE.
    this.setStatus(session, 'SCAN_QR_CODE', true, issuedAt);
    this.scheduleAt(session, expiresAt, () => {
      if (index < WAHA_CLOCK.qrCount) this.nextQr(session, index + 1, expiresAt);
      else this.fail(session, 'QR code was not scanned in time (6 QR codes expired)');
    });
  }

  /**
   * `at`: when it happened on WAHA's clock, the event's timestamp (default: now). Public for the
   * passkey and limits steps (sim-limits.ts), which announce statuses as WAHA does.
   */
  setStatus(
    session: SimSession,
    status: WahaSessionStatus,
    force = false,
    at = Date.now(),
    /** WAHA's `payload.data`: the passkey challenge or code, changed limits. */
    data?: unknown,
  ): void {
    if (session.status === status && !force) return;
    session.status = status;
    if (status !== 'SCAN_QR_CODE') {
      session.qr = null;
      session.qrWindowEndsAt = null;
    }
    if (status !== 'PASSKEY_REQUIRED' && status !== 'PASSKEY_CONFIRMATION_REQUIRED') session.passkey = null;
    session.activity = at;
    session.statuses.push({ status, timestamp: at });
    if (session.statuses.length > STATUS_HISTORY) session.statuses.shift();
    this.emit(
      session,
      'session.status',
      {
        name: session.name,
        status,
        statuses: [...session.statuses],
        ...(data === undefined ? {} : { data }),
      },
      at,
    );
    this.events.emit('status', session.name, status);
  }

  private emit(session: SimSession, event: string, payload: unknown, at = Date.now()): void {
    const envelope = {
      id: `evt_${ulid().toLowerCase()}`,
      timestamp: at,
      event,
      session: session.name,
      ...(session.config?.metadata ? { metadata: session.config.metadata } : {}),
      ...(session.me ? { me: meWithLimits(session) } : {}),
      payload,
      engine: this.options.engine,
      environment: this.environment,
    };
    this.events.emit('webhook', envelope);
    this.dispatcher.dispatch(session.config?.webhooks, envelope);
  }

  private schedule(session: SimSession, wahaMs: number, fn: () => void): void {
    this.scheduleAt(session, Date.now() + scaled(wahaMs, this.options.timeScale), fn);
  }

  private scheduleAt(session: SimSession, at: number, fn: () => void): void {
    this.clearTimer(session);
    session.timer = setTimeout(
      () => {
        session.timer = null;
        fn();
      },
      Math.max(0, at - Date.now()),
    );
    session.timer.unref();
  }

  clearTimer(session: SimSession): void {
    if (session.timer) clearTimeout(session.timer);
    session.timer = null;
  }

  clearPairing(session: SimSession): void {
    session.pairingCode = null;
  }
}
