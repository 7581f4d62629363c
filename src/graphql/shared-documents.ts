import {
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  parse,
  type ParseOptions,
  type Source,
  validate,
} from 'graphql';
import { withClientCode } from './graphql-errors.js';

/** Distinct operation texts kept parsed; dashboards send a handful, so this only bounds abuse. */
const MAX_DOCUMENTS = 500;
const documents = new Map<string, DocumentNode>();
const validated = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly GraphQLError[]>>();

/**
 * graphql-ws's `parse`: one parsed document per operation text, shared by every subscription
 * that sends that text. graphql-ws otherwise parses each subscribe message and the subscription
 * keeps its own AST (with its token list and locations) for as long as it lives: about 17 KB
 * of heap per idle dashboard for the dashboard's subscription, more than the socket itself.
 * ASTs are never mutated by graphql-js, so sharing one is safe. Least recently used first out.
 */
export function parseShared(source: string | Source, options?: ParseOptions): DocumentNode {
  if (typeof source !== 'string' || options !== undefined) return parse(source, options);
  let document = documents.get(source);
  if (document) {
    documents.delete(source);
  } else {
    document = parse(source);
    if (documents.size >= MAX_DOCUMENTS) documents.delete(documents.keys().next().value as string);
  }
  documents.set(source, document);
  return document;
}

/** graphql-ws's `validate`: a shared document is validated once per schema (a pure function of both). */
export function validateShared(
  schema: GraphQLSchema,
  document: DocumentNode,
  ...rest: unknown[]
): readonly GraphQLError[] {
  if (rest.some((arg) => arg !== undefined)) {
    return (validate(schema, document, ...(rest as [])) as readonly GraphQLError[]).map(asValidationFailure);
  }
  let bySchema = validated.get(schema);
  if (!bySchema) {
    bySchema = new WeakMap();
    validated.set(schema, bySchema);
  }
  let errors = bySchema.get(document);
  if (!errors) {
    errors = validate(schema, document).map(asValidationFailure);
    bySchema.set(document, errors);
  }
  return errors;
}

/** graphql-js's validation errors carry no code; a subscription's must say what HTTP's says. */
const asValidationFailure = (error: GraphQLError): GraphQLError =>
  withClientCode(error, 'GRAPHQL_VALIDATION_FAILED');
