import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { InternalAccess } from '../auth/access.decorators.js';
import { validIdArgument } from '../common/input-checks.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { N8N_ACTOR, SessionLifecycleService } from '../whatsapp-sessions/session-lifecycle.service.js';
import { wahaCreateRequest } from '../whatsapp-sessions/waha-session-request.js';
import { cappingOf, limitsOfEvent, timelockOf } from '../whatsapp-sessions/session-limits.js';
import { WahaSessionStatus } from '../waha/waha.types.js';
import { type WhatsappSession } from '../whatsapp-sessions/whatsapp-session.entity.js';
import {
  InternalSession,
  ReportLinkedAccountInput,
  ReportPairingCodeInput,
  ReportQrInput,
  ReportSessionDeletedInput,
  ReportSessionFailureInput,
  ReportSessionLimitsInput,
  ReportSessionStatusInput,
  WorkflowSessionArgs,
} from './internal.types.js';
import { checkReportIds } from './report-ids.js';

/** n8n's write-backs about sessions. Every one is idempotent: n8n may retry any of them. */
@InternalAccess()
@Resolver(() => InternalSession)
export class SessionReportsResolver {
  constructor(
    private readonly lifecycle: SessionLifecycleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Query(() => InternalSession, {
    description: 'A session as workflows need it, with its WAHA create request.',
  })
  async workflowSession(@Args() { sessionId }: WorkflowSessionArgs): Promise<InternalSession> {
    return this.toInternal(await this.lifecycle.findAnyTenant(validIdArgument(sessionId, 'sessionId')));
  }

  @Mutation(() => InternalSession)
  async reportSessionStatus(@Args('input') input: ReportSessionStatusInput): Promise<InternalSession> {
    checkReportIds(input);
    return this.toInternal(
      await this.lifecycle.applyStatus(input.sessionId, input.status, N8N_ACTOR, {
        me: input.me ?? null,
        // The logout workflow's report: WAHA has forgotten the account.
        commandId: input.commandId ?? null,
        // WAHA's `me` may carry the account's limits (2026.8), read as a webhook's are.
        limits: input.status === WahaSessionStatus.WORKING ? limitsOfEvent(input.me, null) : null,
      }),
    );
  }

  @Mutation(() => InternalSession, {
    description:
      "The account's message capping and reach-out timelock, fresh from WAHA (session.limits). Idempotent; " +
      'ignored unless the session is WORKING (a report after a logout is about an account no longer linked).',
  })
  async reportSessionLimits(@Args('input') input: ReportSessionLimitsInput): Promise<InternalSession> {
    checkReportIds(input);
    const limits = {
      capping: cappingOf(input.capping),
      timelock: timelockOf(input.timelock),
    };
    return this.toInternal(await this.lifecycle.applyLimitsReport(input.sessionId, limits, N8N_ACTOR));
  }

  @Mutation(() => InternalSession)
  async reportQr(@Args('input') input: ReportQrInput): Promise<InternalSession> {
    checkReportIds(input);
    return this.toInternal(await this.lifecycle.applyQr(input.sessionId, input, N8N_ACTOR));
  }

  @Mutation(() => InternalSession)
  async reportPairingCode(@Args('input') input: ReportPairingCodeInput): Promise<InternalSession> {
    checkReportIds(input);
    return this.toInternal(await this.lifecycle.applyPairingCode(input.sessionId, input, N8N_ACTOR));
  }

  @Mutation(() => InternalSession)
  async reportLinkedAccount(@Args('input') input: ReportLinkedAccountInput): Promise<InternalSession> {
    checkReportIds(input);
    return this.toInternal(await this.lifecycle.applyLinkedAccount(input.sessionId, input.me, N8N_ACTOR));
  }

  @Mutation(() => InternalSession)
  async reportSessionFailure(@Args('input') input: ReportSessionFailureInput): Promise<InternalSession> {
    checkReportIds(input);
    return this.toInternal(await this.lifecycle.applyFailure(input.sessionId, input, N8N_ACTOR));
  }

  @Mutation(() => Boolean, {
    description: 'True if this report removed the session; false if it was already gone.',
  })
  async reportSessionDeleted(@Args('input') input: ReportSessionDeletedInput): Promise<boolean> {
    checkReportIds(input);
    return this.lifecycle.confirmDeleted(input.sessionId);
  }

  private toInternal(session: WhatsappSession): InternalSession {
    return {
      id: session.id,
      tenantId: session.tenant.id,
      status: session.status,
      authMethod: session.authMethod,
      phoneNumber: session.phoneNumber ?? null,
      me: session.meId ? { id: session.meId, pushName: session.mePushName ?? null } : null,
      qrValue: session.qrValue ?? null,
      qrSequence: session.qrSequence ?? null,
      pairingCode: session.pairingCode ?? null,
      lastError: session.lastError ?? null,
      deleted: session.deletedAt !== null && session.deletedAt !== undefined,
      wahaRequest: wahaCreateRequest(session, this.config),
    };
  }
}
