import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { toConnection } from '../common/pagination.js';
import { CurrentAuth, TenantAccess } from '../auth/access.decorators.js';
import { type AuthContext, Role } from '../auth/auth-context.js';
import {
  CreateWhatsappSessionInput,
  UpdateWhatsappSessionInput,
  WhatsappSessionIdArgs,
  WhatsappSessionsArgs,
} from './dto/whatsapp-session.inputs.js';
import { toWhatsappSessionModel } from './whatsapp-session.mapper.js';
import { WhatsappSessionConnection, WhatsappSessionModel } from './whatsapp-session.model.js';
import { WhatsappSessionsService } from './whatsapp-sessions.service.js';

const WRITERS = [Role.ADMIN, Role.MEMBER];

@Resolver(() => WhatsappSessionModel)
export class WhatsappSessionsResolver {
  constructor(private readonly sessions: WhatsappSessionsService) {}

  @TenantAccess()
  @Query(() => WhatsappSessionConnection, { description: "The tenant's sessions, newest first." })
  async whatsappSessions(@Args() args: WhatsappSessionsArgs) {
    return toConnection(await this.sessions.list(args), toWhatsappSessionModel, (s) => [s.id]);
  }

  @TenantAccess()
  @Query(() => WhatsappSessionModel)
  async whatsappSession(@Args() { id }: WhatsappSessionIdArgs) {
    return toWhatsappSessionModel(await this.sessions.get(id));
  }

  @TenantAccess(...WRITERS)
  @Mutation(() => WhatsappSessionModel)
  async createWhatsappSession(
    @CurrentAuth() auth: AuthContext,
    @Args('input') input: CreateWhatsappSessionInput,
  ) {
    return toWhatsappSessionModel(await this.sessions.create(auth, input));
  }

  @TenantAccess(...WRITERS)
  @Mutation(() => WhatsappSessionModel)
  async updateWhatsappSession(
    @CurrentAuth() auth: AuthContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateWhatsappSessionInput,
  ) {
    return toWhatsappSessionModel(await this.sessions.update(auth, id, input));
  }

  @TenantAccess(...WRITERS)
  @Mutation(() => WhatsappSessionModel)
  async renameWhatsappSession(
    @CurrentAuth() auth: AuthContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('displayName') displayName: string,
  ) {
    return toWhatsappSessionModel(await this.sessions.rename(auth, id, displayName));
  }

  @TenantAccess(...WRITERS)
  @Mutation(() => WhatsappSessionModel, {
    description: 'Stops the session in WAHA; `status` follows when WAHA reports it.',
  })
  async stopWhatsappSession(@CurrentAuth() auth: AuthContext, @Args() { id }: WhatsappSessionIdArgs) {
    return toWhatsappSessionModel(await this.sessions.stop(auth, id));
  }

  @TenantAccess(...WRITERS)
  @Mutation(() => WhatsappSessionModel, {
    description: 'Restarts the session in WAHA: a FAILED or STOPPED session gets a new QR window.',
  })
  async restartWhatsappSession(@CurrentAuth() auth: AuthContext, @Args() { id }: WhatsappSessionIdArgs) {
    return toWhatsappSessionModel(await this.sessions.restart(auth, id));
  }

  @TenantAccess(...WRITERS)
  @Mutation(() => WhatsappSessionModel, {
    description: 'Unlinks the WhatsApp account; the session can be linked again.',
  })
  async logoutWhatsappSession(@CurrentAuth() auth: AuthContext, @Args() { id }: WhatsappSessionIdArgs) {
    return toWhatsappSessionModel(await this.sessions.logout(auth, id));
  }

  @TenantAccess(...WRITERS)
  @Mutation(() => WhatsappSessionModel, {
    description: 'Deletes the session; it is gone from every list at once.',
  })
  async deleteWhatsappSession(@CurrentAuth() auth: AuthContext, @Args() { id }: WhatsappSessionIdArgs) {
    return toWhatsappSessionModel(await this.sessions.delete(auth, id));
  }
}
