import { Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { AnyScope, CurrentAuth, TenantAccess } from './access.decorators.js';
import { type AuthContext } from './auth-context.js';
import { DomainError } from '../common/domain-error.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { inPublicSchema } from '../common/graphql-schemas.js';

@ObjectType('Tenant', inPublicSchema)
export class TenantModel {
  @Field()
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
      tenant: { id: tenant.id, slug: tenant.slug, name: tenant.name },
    };
  }
}
