import { Args, Resolver, Subscription } from '@nestjs/graphql';
import { CurrentAuth, RequireScope, Scope, TenantAccess } from '../auth/access.decorators.js';
import { type AuthContext } from '../auth/auth-context.js';
import { validIdArgument } from '../common/input-checks.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { Topic } from '../realtime/topics.js';
import { WhatsappSessionIdArgs } from './dto/whatsapp-session.inputs.js';
import {
  fromSessionUpdatedPayload,
  type SessionUpdatedPayload,
  toSessionUpdatedPayload,
} from './session-payload.js';
import { WhatsappSessionUpdateModel } from './whatsapp-session.model.js';
import { WhatsappSessionsService } from './whatsapp-sessions.service.js';

/**
 * One event object reaches every subscriber of its channel on a replica: convert it once,
 * not once per socket. Keyed weakly, so it goes with the event.
 */
const converted = new WeakMap<SessionUpdatedPayload, WhatsappSessionUpdateModel>();

function toUpdate(payload: SessionUpdatedPayload): WhatsappSessionUpdateModel {
  let update = converted.get(payload);
  if (!update) {
    update = { deleted: payload.deleted, session: fromSessionUpdatedPayload(payload) };
    converted.set(payload, update);
  }
  return update;
}

/**
 * Live session updates over graphql-ws. Every stream is the caller's tenant's channel
 * (`session.updated:<tenantId>`), the tenant taken from the token: another tenant's events
 * are never on it, whatever id is asked for. Events carry the session's full public state,
 * so nothing is read from the database per event.
 */
@Resolver()
export class WhatsappSessionSubscriptions {
  constructor(
    private readonly realtime: RealtimeService,
    private readonly sessions: WhatsappSessionsService,
  ) {}

  @TenantAccess()
  @RequireScope(Scope.READ)
  @Subscription(() => WhatsappSessionUpdateModel, {
    description:
      'One session, live: first the session as it stands, then every change (status, QR with its expiry ' +
      'and number in the series, pairing code, linked account, last error). NOT_FOUND for an id the ' +
      "caller's tenant does not have.",
    resolve: toUpdate,
  })
  async whatsappSessionUpdated(@CurrentAuth() auth: AuthContext, @Args() { id }: WhatsappSessionIdArgs) {
    // Judged before listening (sessions.get judges it too): an id no session can have needs no channel.
    validIdArgument(id, 'id');
    // An event older than the snapshot (published just before it was read) would step back.
    let notBefore = '';
    const events = this.realtime.subscribe<SessionUpdatedPayload>(
      Topic.SESSION_UPDATED,
      auth.tenantId,
      (event) => event.session.id === id && event.session.updatedAt >= notBefore,
    );
    try {
      await events.live;
      const snapshot = toSessionUpdatedPayload(await this.sessions.get(id));
      notBefore = snapshot.session.updatedAt;
      events.unshift(snapshot);
      return events;
    } catch (error) {
      events.close();
      throw error;
    }
  }

  @TenantAccess()
  @RequireScope(Scope.READ)
  @Subscription(() => WhatsappSessionUpdateModel, {
    description:
      "Every change of any of the tenant's sessions, for list views (`deleted` true: drop it). " +
      'Starts with the next change; query `whatsappSessions` for the list itself.',
    resolve: toUpdate,
  })
  whatsappSessionsUpdated(@CurrentAuth() auth: AuthContext) {
    return this.realtime.subscribe<SessionUpdatedPayload>(Topic.SESSION_UPDATED, auth.tenantId);
  }
}
