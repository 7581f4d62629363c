import { Module } from '@nestjs/common';

/**
 * Markers of the two GraphQL schemas. Every @ObjectType, @InputType, @ArgsType and enum
 * names the one it belongs to with `registerIn`; a type that names neither would be
 * printed into both (that is how @nestjs/graphql scopes types per endpoint).
 */
@Module({})
export class PublicSchema {}

@Module({})
export class InternalSchema {}

export const inPublicSchema = { registerIn: () => PublicSchema };
export const inInternalSchema = { registerIn: () => InternalSchema };

export type SchemaMarker = typeof inPublicSchema | typeof inInternalSchema;
