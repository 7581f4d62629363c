import { Field, ID, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { AnyScope, CurrentAuth, TenantAccess } from './access.decorators.js';
import { type AuthContext } from './auth-context.js';
import { DomainError } from '../common/domain-error.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { inPublicSchema } from '../common/graphql-schemas.js';
import { toGlobalId } from '../common/global-ids.js';
import { NodeInterface } from '../common/node.model.js';

@ObjectType('Tenant', { ...inPublicSchema, implements: () => [NodeInterface] })
export class TenantModel {
  @Field(() => ID, {
    description: 'A Node id; a token of your identity provider may name the tenant by it (or by its slug).',
  })
  id!: string;

  @Field()
  slug!: string;

  @Field()
  name!: string;
}

@ObjectType('Viewer', { ...inPublicSchema, description: 'The caller, as its token says.' })
export class ViewerModel {
  @Field()
  userId!: string;

  @Field(() => [String])
  roles!: string[];

  @Field(() => TenantModel)
  tenant!: TenantModel;
}

export function toTenantModel(tenant: { id: string; slug: string; name: string }): TenantModel {
  return { id: toGlobalId('Tenant', tenant.id), slug: tenant.slug, name: tenant.name };
}

@Resolver(() => ViewerModel)
export class ViewerResolver {
  constructor(private readonly tenants: TenantsService) {}

  @TenantAccess()
  @AnyScope()
  @Query(() => ViewerModel, { description: 'Who the token belongs to: a cheap way to check a token.' })
  async viewer(@CurrentAuth() auth: AuthContext): Promise<ViewerModel> {
    const tenant = await this.tenants.findById(auth.tenantId);
    if (!tenant) throw DomainError.notFound('Tenant', auth.tenantId);
    return {
      userId: auth.userId,
      roles: auth.roles,
      tenant: toTenantModel(tenant),
    };
  }
}
