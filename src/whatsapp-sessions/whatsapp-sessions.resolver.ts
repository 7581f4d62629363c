import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { toConnection } from '../common/pagination.js';
import { CurrentAuth, RequireScope, Scope, TenantAccess } from '../auth/access.decorators.js';
import { type AuthContext, Role } from '../auth/auth-context.js';
import {
  CreateWhatsappSessionInput,
  UpdateWhatsappSessionInput,
  WhatsappSessionIdArgs,
  WhatsappSessionsArgs,
} from './dto/whatsapp-session.inputs.js';
import { qrPngDataUrl, toWhatsappSessionModel } from './whatsapp-session.mapper.js';
import {
  WhatsappQrModel,
  WhatsappSessionConnection,
  WhatsappSessionModel,
} from './whatsapp-session.model.js';
import { SessionLinkingService } from './session-linking.service.js';
import { WhatsappSessionsService } from './whatsapp-sessions.service.js';

const WRITERS = [Role.ADMIN, Role.MEMBER];

@Resolver(() => WhatsappSessionModel)
export class WhatsappSessionsResolver {
  constructor(
    private readonly sessions: WhatsappSessionsService,
    private readonly linking: SessionLinkingService,
  ) {}

  @TenantAccess()
  @RequireScope(Scope.READ)
  @Query(() => WhatsappSessionConnection, {
    description:
      "The tenant's sessions, newest first: `first`/`after` page to older ones, `last`/`before` to newer ones.",
  })
  async whatsappSessions(@Args() args: WhatsappSessionsArgs) {
    return toConnection(await this.sessions.list(args), toWhatsappSessionModel);
  }

  @TenantAccess()
  @RequireScope(Scope.READ)
  @Query(() => WhatsappSessionModel)
  async whatsappSession(@Args() { id }: WhatsappSessionIdArgs) {
    return toWhatsappSessionModel(await this.sessions.get(id));
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => WhatsappSessionModel, {
    description:
      'Creates the session and answers with its first `qr` (or `pairingCode`) when it arrives within the ' +
      'configured wait (CREATE_QR_WAIT_MS); otherwise with the session as it stands: follow `whatsappSessionUpdated`.',
  })
  async createWhatsappSession(
    @CurrentAuth() auth: AuthContext,
    @Args('input') input: CreateWhatsappSessionInput,
  ) {
    return this.linking.createAwaitingCode(auth, input);
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => WhatsappSessionModel, {
    description:
      'The QR to scan: the current one while valid; a new one while WAHA shows QRs; after WAHA failed the ' +
      'session (QR window over) or it stopped, a restart and its first QR. Switches the session to QR. ' +
      'FAILED_PRECONDITION when the session is already WORKING.',
  })
  async refreshWhatsappSessionQr(@CurrentAuth() auth: AuthContext, @Args() { id }: WhatsappSessionIdArgs) {
    return this.linking.refreshQr(auth, id);
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => WhatsappSessionModel, {
    description:
      'A pairing code for the phone with this number (Linked devices > Link with phone number), like ' +
      'refreshWhatsappSessionQr does for QRs. Switches the session to PHONE_CODE with this number.',
  })
  async requestWhatsappPairingCode(
    @CurrentAuth() auth: AuthContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('phoneNumber', { description: 'With country code, e.g. +49 151 2345678.' }) phoneNumber: string,
  ) {
    return this.linking.requestPairingCode(auth, id, phoneNumber);
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => WhatsappSessionModel)
  async updateWhatsappSession(
    @CurrentAuth() auth: AuthContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateWhatsappSessionInput,
  ) {
    return toWhatsappSessionModel(await this.sessions.update(auth, id, input));
  }

  /** Kept for clients written before updateWhatsappSession; an error names its own `displayName`. */
  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => WhatsappSessionModel, {
    deprecationReason: 'Use updateWhatsappSession(id, input: { displayName }).',
  })
  async renameWhatsappSession(
    @CurrentAuth() auth: AuthContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('displayName') displayName: string,
  ) {
    return toWhatsappSessionModel(await this.sessions.update(auth, id, { displayName }, 'displayName'));
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => WhatsappSessionModel, {
    description: 'Stops the session in WAHA; `status` follows when WAHA reports it.',
  })
  async stopWhatsappSession(@CurrentAuth() auth: AuthContext, @Args() { id }: WhatsappSessionIdArgs) {
    return toWhatsappSessionModel(await this.sessions.stop(auth, id));
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => WhatsappSessionModel, {
    description: 'Restarts the session in WAHA: a FAILED or STOPPED session gets a new QR window.',
  })
  async restartWhatsappSession(@CurrentAuth() auth: AuthContext, @Args() { id }: WhatsappSessionIdArgs) {
    return toWhatsappSessionModel(await this.sessions.restart(auth, id));
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => WhatsappSessionModel, {
    description: 'Unlinks the WhatsApp account; the session can be linked again.',
  })
  async logoutWhatsappSession(@CurrentAuth() auth: AuthContext, @Args() { id }: WhatsappSessionIdArgs) {
    return toWhatsappSessionModel(await this.sessions.logout(auth, id));
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => WhatsappSessionModel, {
    description:
      "Asks WAHA (through n8n) for the account's message capping and reach-out timelock now; `messageCapping` " +
      'and `reachoutTimelock` follow on `whatsappSessionUpdated` when they change. They are also refreshed ' +
      'whenever the session becomes WORKING. FAILED_PRECONDITION unless the session is WORKING.',
  })
  async refreshWhatsappSessionLimits(
    @CurrentAuth() auth: AuthContext,
    @Args() { id }: WhatsappSessionIdArgs,
  ) {
    return toWhatsappSessionModel(await this.sessions.refreshLimits(auth, id));
  }

  @TenantAccess(...WRITERS)
  @RequireScope(Scope.SESSIONS)
  @Mutation(() => WhatsappSessionModel, {
    description: 'Deletes the session; it is gone from every list at once.',
  })
  async deleteWhatsappSession(@CurrentAuth() auth: AuthContext, @Args() { id }: WhatsappSessionIdArgs) {
    return toWhatsappSessionModel(await this.sessions.delete(auth, id));
  }
}

@Resolver(() => WhatsappQrModel)
export class WhatsappQrResolver {
  @ResolveField(() => String, {
    description: 'The QR as a PNG data URL (`data:image/png;base64,…`), ready for an <img>.',
  })
  pngDataUrl(@Parent() qr: WhatsappQrModel): string {
    return qrPngDataUrl(qr.value);
  }
}
