import { Field, ID, InterfaceType } from '@nestjs/graphql';
import { inPublicSchema } from './graphql-schemas.js';
import { parseGlobalId } from './global-ids.js';

/**
 * The Relay Node interface: every object with an identity implements it, so `node(id)` refetches
 * any of them and client caches normalize on `id` alone. Which type an object is follows from
 * its id's prefix (see global-ids.ts), so no object needs to carry its type name.
 */
@InterfaceType('Node', {
  ...inPublicSchema,
  description: 'An object with a globally unique, opaque id: refetch it with `node(id)`.',
  resolveType: (value: { id?: unknown }) =>
    typeof value.id === 'string' ? (parseGlobalId(value.id)?.type ?? null) : null,
})
export abstract class NodeInterface {
  @Field(() => ID, { description: 'Globally unique and opaque: do not parse it.' })
  id!: string;
}
