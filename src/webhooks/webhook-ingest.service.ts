import { randomUUID } from 'node:crypto';
import { ForeignKeyConstraintViolationException } from '@mikro-orm/core';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { chatIdOfWahaMessageId, STATUS_BROADCAST } from '../waha/chat-ids.js';
import { isAck } from '../waha/acks.js';
import { MessageIngestService, type StoreOutcome } from '../chats/message-ingest.service.js';
import { type ChangeOutcome, MessageChangesService } from '../chats/message-changes.service.js';
import { isCleanId, storableText, wahaEventTime } from '../common/storable.js';
import { messageOf } from '../waha/waha-message.js';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import {
  SessionLifecycleService,
  WAHA_WEBHOOK_ACTOR,
} from '../whatsapp-sessions/session-lifecycle.service.js';
import { WAHA_WEBHOOK_EVENTS, WahaSessionStatus } from '../waha/waha.types.js';
import { limitsOfEvent } from '../whatsapp-sessions/session-limits.js';
import { METADATA_SESSION_ID, METADATA_TENANT_ID } from '../whatsapp-sessions/waha-session-request.js';
import { WebhookErrorCode } from './webhook-body.js';
import { verifySignature } from '../waha/webhook-hmac.js';
import { type WebhookSession, WebhookSessions } from './webhook-sessions.js';
import { ACCOUNT_ID_MAX, PUSH_NAME_MAX } from '../whatsapp-sessions/whatsapp-session.validation.js';
import { editOf, reactionOf, revokeOf } from './message-change-payloads.js';
import { Metrics } from '../observability/metrics.js';

/** What the endpoint answers: WAHA only looks at the status (2xx = done, anything else = retry). */
export interface WebhookAnswer {
  status: number;
  body:
    | { status: 'stored' | 'duplicate' | 'ignored'; eventId: string; reason?: string }
    | { error: { code: WebhookErrorCode; message: string; errorId?: string } };
}

/** The WAHA webhook envelope (openapi: WAHAWebhook*), as far as this service reads it. */
interface Envelope {
  id: string;
  /** Unix ms, a whole number that is a storable date (wahaEventTime). */
  timestamp: number;
  /** `timestamp` as a date. */
  occurredAt: Date;
  event: string;
  session: string;
  metadata?: Record<string, unknown> | null;
  me?: { id?: unknown; pushName?: unknown } | null;
  payload: Record<string, unknown>;
}

const SESSION_NAME = /^[a-zA-Z0-9_-]{1,54}$/;
const EVENT_ID = /^[\w.:-]{1,100}$/;
const WAHA_STATUSES = new Set<string>(Object.values(WahaSessionStatus));

const fail = (status: number, code: WebhookErrorCode, message: string): WebhookAnswer => ({
  status,
  body: { error: { code, message } },
});

const done = (
  status: 'stored' | 'duplicate' | 'ignored',
  eventId: string,
  reason?: string,
): WebhookAnswer => ({
  status: 200,
  body: reason ? { status, eventId, reason } : { status, eventId },
});

/** The events this service subscribes to and applies: a label of their own in the count; any other is `other`. */
const COUNTED_EVENTS = new Set<string>(WAHA_WEBHOOK_EVENTS);

/** The event label of the count: `unknown` when no authentic envelope named one. */
function eventLabel(event: string | undefined): string {
  if (event === undefined) return 'unknown';
  return COUNTED_EVENTS.has(event) ? event : 'other';
}

/** The outcome label of the count: what a 2xx says, else rejected (4xx, WAHA's to fix) or failed (5xx, ours). */
function outcomeOf(answer: WebhookAnswer | undefined): string {
  if (answer === undefined || answer.status >= 500) return 'failed';
  return 'status' in answer.body ? answer.body.status : 'rejected';
}

/** The session an event names, to find the key it is signed with; from the raw text when it is not JSON. */
function sessionNameOf(parsed: unknown, raw: Buffer): string | null {
  const named =
    typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)['session']
      : /"session"\s*:\s*"([a-zA-Z0-9_-]{1,54})"/.exec(raw.toString('utf8'))?.[1];
  return typeof named === 'string' && SESSION_NAME.test(named) ? named : null;
}

function envelopeOf(value: unknown): Envelope | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'the body is not a JSON object';
  const e = value as Record<string, unknown>;
  if (typeof e['id'] !== 'string' || !EVENT_ID.test(e['id'])) return '`id` must be the event id (evt_…)';
  if (typeof e['event'] !== 'string' || e['event'].length === 0 || e['event'].length > 40) {
    return '`event` must be an event name';
  }
  if (typeof e['session'] !== 'string' || !SESSION_NAME.test(e['session'])) {
    return '`session` must be a WAHA session name';
  }
  // Judged here, for every event, before anything is written: a date PostgreSQL refuses failed
  // the statement (a 500, retried by WAHA), and an absurd one would misorder session statuses.
  const occurredAt = wahaEventTime(e['timestamp']);
  if (occurredAt === null) {
    return '`timestamp` must be a whole number of milliseconds from 1970 to 9999';
  }
  if (typeof e['payload'] !== 'object' || e['payload'] === null || Array.isArray(e['payload'])) {
    return '`payload` must be an object';
  }
  if (e['metadata'] !== undefined && e['metadata'] !== null && typeof e['metadata'] !== 'object') {
    return '`metadata` must be an object';
  }
  return { ...(e as unknown as Envelope), occurredAt };
}

/** A metadata value for a message and the log: never the whole of what a sender put there. */
function described(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return `a${Array.isArray(value) ? 'n array' : ` ${typeof value}`}`;
}

/**
 * POST /webhooks/waha after the probe: parse, authenticate, dedupe, apply. The tenant is the
 * session's own, from our database; the event's metadata is only cross-checked. Every accepted
 * event is stored together with its effect in one transaction keyed by its session and WAHA's
 * event id (WebhookEvent), so the same event delivered any number of times, concurrently or
 * not, has one effect; the answer is 2xx only after that commit.
 */
@Injectable()
export class WebhookIngestService {
  private readonly logger = new Logger('Webhooks');

  constructor(
    private readonly sessions: WebhookSessions,
    private readonly lifecycle: SessionLifecycleService,
    private readonly messages: MessageIngestService,
    private readonly changes: MessageChangesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  /** The answer to one delivery, counted in whatsapp_hub_webhook_events_total (its 2xx are not logged at info). */
  async receive(raw: Buffer, signature: string | undefined): Promise<WebhookAnswer> {
    const seen: { event?: string } = {};
    let answer: WebhookAnswer | undefined;
    try {
      answer = await this.judge(raw, signature, seen);
      return answer;
    } finally {
      this.metrics.webhookEvents.inc({ event: eventLabel(seen.event), outcome: outcomeOf(answer) });
    }
  }

  /** `seen.event` is set once the event is authentic and an envelope: its name, for the count. */
  private async judge(
    raw: Buffer,
    signature: string | undefined,
    seen: { event?: string },
  ): Promise<WebhookAnswer> {
    if (!signature) {
      return fail(401, WebhookErrorCode.UNAUTHENTICATED, 'The X-Webhook-Hmac header is missing');
    }
    // The signature is judged before the content: whoever cannot sign learns nothing from a 400.
    let parsed: unknown;
    let json = true;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      json = false;
    }
    const sessionName = sessionNameOf(parsed, raw);
    const session = sessionName === null ? null : await this.sessions.find(sessionName);
    const verified =
      (session !== null && verifySignature(raw, signature, session.hmacKey)) ||
      (this.config.webhooks.globalHmacKey !== undefined &&
        verifySignature(raw, signature, this.config.webhooks.globalHmacKey));
    if (!verified) {
      return fail(401, WebhookErrorCode.UNAUTHENTICATED, 'Invalid webhook signature');
    }
    if (!json) return fail(400, WebhookErrorCode.INVALID_JSON, 'The body is not valid JSON');
    const envelope = envelopeOf(parsed);
    if (typeof envelope === 'string') {
      return fail(400, WebhookErrorCode.NOT_A_WAHA_EVENT, `Not a WAHA event: ${envelope}`);
    }
    seen.event = envelope.event;
    // Authentic (WAHA's global key), but about a session we do not have: nothing to do, and
    // a retry would not change that.
    if (!session) return done('ignored', envelope.id, 'unknown session');
    const mismatch = this.metadataMismatch(envelope, session);
    if (mismatch) {
      this.logger.warn(`Event ${envelope.id} of session ${session.sessionId} refused: ${mismatch}`);
      return fail(400, WebhookErrorCode.METADATA_MISMATCH, mismatch);
    }
    try {
      return await this.apply(envelope, session);
    } catch (error) {
      if (
        (error instanceof DomainError && error.code === ErrorCode.NOT_FOUND) ||
        error instanceof ForeignKeyConstraintViolationException
      ) {
        // The session was removed while its key was cached.
        this.sessions.forget(session.sessionId);
        return done('ignored', envelope.id, 'unknown session');
      }
      const errorId = randomUUID();
      this.logger.error(
        `errorId=${errorId} event ${envelope.id} (${envelope.event}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return {
        status: 500,
        body: {
          error: {
            code: WebhookErrorCode.INTERNAL_SERVER_ERROR,
            message: 'The event was not stored',
            errorId,
          },
        },
      };
    }
  }

  private metadataMismatch(envelope: Envelope, session: WebhookSession): string | null {
    const metadata = envelope.metadata ?? {};
    const tenantId = metadata[METADATA_TENANT_ID];
    const sessionId = metadata[METADATA_SESSION_ID];
    if (sessionId !== undefined && sessionId !== session.sessionId) {
      return `metadata names session ${described(sessionId)}, the event session ${JSON.stringify(session.sessionId)}`;
    }
    if (tenantId !== undefined && tenantId !== session.tenantId) {
      return "metadata names another tenant than the session's";
    }
    return null;
  }

  private async apply(envelope: Envelope, session: WebhookSession): Promise<WebhookAnswer> {
    const ref = { tenantId: session.tenantId, sessionId: session.sessionId };
    const event = { id: envelope.id, event: envelope.event, occurredAt: envelope.occurredAt };
    switch (envelope.event) {
      case 'session.status':
        return this.applyStatus(envelope, session);
      case 'message':
      case 'message.any': {
        const message = messageOf(envelope.payload, envelope.timestamp);
        if (typeof message === 'string') {
          return fail(400, WebhookErrorCode.NOT_A_WAHA_EVENT, `Not a WAHA message: payload ${message}`);
        }
        if (message.chatId === STATUS_BROADCAST) return done('ignored', envelope.id, 'status broadcast');
        return this.answer(
          envelope.id,
          await this.messages.storeMessage(ref, message, WAHA_WEBHOOK_ACTOR, { event, source: 'webhook' }),
        );
      }
      case 'message.ack': {
        const { id, ack } = envelope.payload;
        if (!isCleanId(id, 200)) {
          return fail(
            400,
            WebhookErrorCode.NOT_A_WAHA_EVENT,
            'Not a WAHA ack: `payload.id` must be a message id',
          );
        }
        if (!isAck(ack))
          return fail(
            400,
            WebhookErrorCode.NOT_A_WAHA_EVENT,
            'Not a WAHA ack: `payload.ack` must be -1 to 4',
          );
        return this.answer(
          envelope.id,
          await this.messages.storeAck(ref, id, ack, WAHA_WEBHOOK_ACTOR, { event }),
        );
      }
      case 'message.reaction':
      case 'message.edited':
      case 'message.revoked':
        return this.applyChange(envelope, ref, event);
      default:
        return done('ignored', envelope.id, `event ${envelope.event} is not used`);
    }
  }

  /** A reaction, an edit or a revoke (see MessageChangesService); a status's are not kept, like statuses. */
  private async applyChange(
    envelope: Envelope,
    ref: { tenantId: string; sessionId: string },
    event: { id: string; event: string; occurredAt: Date },
  ): Promise<WebhookAnswer> {
    const meId = envelope.me?.id;
    let outcome: ChangeOutcome;
    if (envelope.event === 'message.reaction') {
      const reaction = reactionOf(envelope.payload, meId);
      if (typeof reaction === 'string') {
        return fail(400, WebhookErrorCode.NOT_A_WAHA_EVENT, `Not a WAHA reaction: payload ${reaction}`);
      }
      if (chatIdOfWahaMessageId(reaction.messageWahaId) === STATUS_BROADCAST) {
        return done('ignored', envelope.id, 'status broadcast');
      }
      outcome = await this.changes.storeReaction(ref, { ...reaction, at: envelope.occurredAt }, { event });
    } else if (envelope.event === 'message.edited') {
      const edit = editOf(envelope.payload, meId);
      if (typeof edit === 'string') {
        return fail(400, WebhookErrorCode.NOT_A_WAHA_EVENT, `Not a WAHA message edit: payload ${edit}`);
      }
      if (edit.target.chatId === STATUS_BROADCAST) return done('ignored', envelope.id, 'status broadcast');
      const change = { body: edit.body, at: envelope.occurredAt };
      outcome = await this.changes.storeEdit(ref, edit.target, change, WAHA_WEBHOOK_ACTOR, { event });
    } else {
      const revoke = revokeOf(envelope.payload, meId);
      if (typeof revoke === 'string') {
        return fail(400, WebhookErrorCode.NOT_A_WAHA_EVENT, `Not a WAHA message revoke: payload ${revoke}`);
      }
      if (revoke.target.chatId === STATUS_BROADCAST) return done('ignored', envelope.id, 'status broadcast');
      const at = envelope.occurredAt;
      outcome = await this.changes.storeRevoke(ref, revoke.target, at, WAHA_WEBHOOK_ACTOR, { event });
    }
    switch (outcome.outcome) {
      case 'applied':
        return done('stored', envelope.id);
      case 'stale':
        return done('stored', envelope.id, outcome.reason);
      case 'duplicate':
        return done('duplicate', envelope.id);
      case 'not-stored':
        return fail(
          409,
          WebhookErrorCode.MESSAGE_NOT_STORED,
          'The message this event changes is not stored yet; retry once it is (nothing was recorded)',
        );
    }
  }

  private async applyStatus(envelope: Envelope, session: WebhookSession): Promise<WebhookAnswer> {
    const status = envelope.payload['status'];
    if (typeof status !== 'string') {
      return fail(
        400,
        WebhookErrorCode.NOT_A_WAHA_EVENT,
        'Not a WAHA session status: `payload.status` is missing',
      );
    }
    if (!WAHA_STATUSES.has(status)) return done('ignored', envelope.id, `status ${status} is not used`);
    const account = status === WahaSessionStatus.WORKING ? envelope.me : null;
    let me: { id: string; pushName: string | null } | null = null;
    if (account && typeof account === 'object' && typeof account.id === 'string') {
      // The account id names the linked number: one PostgreSQL cannot hold is not WAHA's.
      if (!isCleanId(account.id, ACCOUNT_ID_MAX)) {
        return fail(
          400,
          WebhookErrorCode.NOT_A_WAHA_EVENT,
          `Not a WAHA session status: \`me.id\` must be a WhatsApp account id (at most ${ACCOUNT_ID_MAX} characters)`,
        );
      }
      // The push name is what the person chose to be called: kept, made storable (see storableText).
      const pushName = account.pushName;
      me = {
        id: account.id,
        pushName: typeof pushName === 'string' ? storableText(pushName, PUSH_NAME_MAX) : null,
      };
    }
    const outcome = await this.lifecycle.applyWebhookStatus(
      { tenantId: session.tenantId, sessionId: session.sessionId },
      { id: envelope.id, event: envelope.event, occurredAt: envelope.occurredAt },
      status as WahaSessionStatus,
      // `data` may say why a session FAILED, or carry the passkey code; `me` and `data` carry the
      // account's capping and timelock (WAHA 2026.8), read tolerantly: odd values are ignored.
      {
        me,
        statusData: envelope.payload['data'],
        limits:
          status === WahaSessionStatus.WORKING ? limitsOfEvent(envelope.me, envelope.payload['data']) : null,
      },
    );
    if (outcome === 'duplicate') return done('duplicate', envelope.id);
    if (outcome === 'stale') return done('stored', envelope.id, 'a newer status was already applied');
    return done('stored', envelope.id);
  }

  private answer(eventId: string, outcome: StoreOutcome): WebhookAnswer {
    return done(outcome === 'duplicate' ? 'duplicate' : 'stored', eventId);
  }
}
