import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  type GraphQLInputType,
  GraphQLInputObjectType,
  type GraphQLObjectType,
} from 'graphql';

/**
 * Every place a caller hands one of the checked-in schemas (schema/public.graphql,
 * schema/internal.graphql) an ID, as `Root.field(path)`: an argument (`Query.chats(sessionId)`)
 * or a field of an input object, at any depth (`Mutation.reportQr(input.commandId)`). Specs that
 * must cover every id compare their table with this list, so a new id argument fails them
 * until it is covered.
 */
export function idArgumentsOf(schemaFile: string): string[] {
  const schema = buildSchema(readFileSync(new URL(`../../schema/${schemaFile}`, import.meta.url), 'utf8'));
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(
    (root): root is GraphQLObjectType => !!root,
  );
  const found: string[] = [];
  const walk = (where: string, path: string, type: GraphQLInputType, seen: Set<string>) => {
    const named = getNamedType(type);
    if (named.name === 'ID') found.push(`${where}(${path})`);
    if (named instanceof GraphQLInputObjectType && !seen.has(named.name)) {
      const inner = new Set(seen).add(named.name);
      for (const field of Object.values(named.getFields())) {
        walk(where, `${path}.${field.name}`, field.type, inner);
      }
    }
  };
  for (const root of roots) {
    for (const field of Object.values(root.getFields())) {
      for (const arg of field.args) walk(`${root.name}.${field.name}`, arg.name, arg.type, new Set());
    }
  }
  return found.sort();
}
