import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { InternalAccess } from '../auth/access.decorators.js';
import { OutboundReportsService, type ReportedSession } from '../chats/outbound-reports.service.js';
import { N8N_ACTOR, SessionLifecycleService } from '../whatsapp-sessions/session-lifecycle.service.js';
import {
  ReportContactIdsInput,
  ReportGroupParticipantsInput,
  ReportReactionSentInput,
} from './internal-outbound.types.js';
import { checkReportIds } from './report-ids.js';

/**
 * n8n's write-backs about a reaction sent, a group's participants and a contact's ids.
 * Idempotent: n8n may retry any of them.
 */
@InternalAccess()
@Resolver()
export class OutboundReportsResolver {
  constructor(
    private readonly reports: OutboundReportsService,
    private readonly lifecycle: SessionLifecycleService,
  ) {}

  @Mutation(() => Boolean, {
    description:
      "message.react succeeded: the linked account's reaction is stored ('' = removed) and shown. True when it changed what is stored; false for a retry or an older request's report.",
  })
  async reportReactionSent(@Args('input') input: ReportReactionSentInput): Promise<boolean> {
    checkReportIds(input);
    return this.reports.reactionSent(await this.session(input.sessionId), input);
  }

  @Mutation(() => Boolean, {
    description:
      "group.participants succeeded: the group chat's participants (and subject, as its name) are stored and shown. True when stored; false for a retry or an older request's report.",
  })
  async reportGroupParticipants(@Args('input') input: ReportGroupParticipantsInput): Promise<boolean> {
    checkReportIds(input);
    return this.reports.groupParticipants(await this.session(input.sessionId), input, N8N_ACTOR);
  }

  @Mutation(() => Boolean, {
    description:
      'contact.lookup answered: the LID and its phone-number id become one chat. True when that changed a chat; false when WAHA does not know the phone number (phoneId null) or they already were one.',
  })
  async reportContactIds(@Args('input') input: ReportContactIdsInput): Promise<boolean> {
    checkReportIds(input);
    return this.reports.contactIdsFound(await this.session(input.sessionId), input);
  }

  private async session(sessionId: string): Promise<ReportedSession> {
    const session = await this.lifecycle.findAnyTenant(sessionId);
    return { tenantId: session.tenant.id, sessionId: session.id, meId: session.meId ?? null };
  }
}
