import {
  type ApolloServerPlugin,
  type GraphQLRequestListener,
  type GraphQLServerListener,
} from '@apollo/server';
import { Inject } from '@nestjs/common';
import { Plugin } from '@nestjs/apollo';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { type ComplexityEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { DEFAULT_PAGE_SIZE } from '../common/pagination.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { RealtimeService } from '../realtime/realtime.service.js';
import { Metrics } from '../observability/metrics.js';

interface Context {
  req?: { path?: string; baseUrl?: string; originalUrl?: string };
}

/** How deep the operation's selections nest (fragments followed, introspection included). */
export function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map(
    document.definitions
      .filter(
        (definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION,
      )
      .map((fragment) => [fragment.name.value, fragment]),
  );
  const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
    if (!set) return 0;
    let deepest = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, seen));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
      } else if (!seen.has(selection.name.value)) {
        const fragment = fragments.get(selection.name.value);
        deepest = Math.max(
          deepest,
          depthOf(fragment?.selectionSet, new Set([...seen, selection.name.value])),
        );
      }
    }
    return deepest;
  };
  return depthOf(operation.selectionSet, new Set());
}

const sizeArg = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * A page of `first` (or `last`) items costs its children that many times over, and `nodes(ids)`
 * as many times as it names objects.
 */
const pagedEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  const takes = (name: string) => field.args.some((arg) => arg.name === name);
  if (takes('first') || takes('last')) {
    const size = sizeArg(args['first']) ?? sizeArg(args['last']) ?? DEFAULT_PAGE_SIZE;
    return 1 + childComplexity * Math.max(1, size);
  }
  if (takes('ids') && Array.isArray(args['ids']))
    return 1 + childComplexity * Math.max(1, args['ids'].length);
  return undefined;
};

/**
 * Per operation: refuses queries deeper than GRAPHQL_MAX_DEPTH or costlier than
 * GRAPHQL_MAX_COMPLEXITY before they run, and counts and times every operation.
 */
@Plugin()
export class GraphqlObservabilityPlugin implements ApolloServerPlugin<Context> {
  constructor(
    private readonly metrics: Metrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly realtime: RealtimeService,
  ) {}

  /**
   * Apollo drains in-flight requests first thing on shutdown (with a 10 s grace), before
   * Nest's shutdown hooks run: end the live streams right then, so a create waiting for
   * its first QR answers with the stored session instead of being cut off.
   */
  async serverWillStart(): Promise<GraphQLServerListener> {
    return {
      drainServer: async () => {
        this.realtime.endAllStreams();
      },
    };
  }

  async requestDidStart({
    contextValue,
  }: {
    contextValue: Context;
  }): Promise<GraphQLRequestListener<Context>> {
    const started = process.hrtime.bigint();
    const endpoint = (contextValue.req?.baseUrl || contextValue.req?.path || '').startsWith('/internal')
      ? 'internal'
      : 'public';
    const { maxDepth, maxComplexity } = this.config.graphql;
    return {
      didResolveOperation: async ({ document, operation, schema, request }) => {
        if (!operation) return;
        if (
          operation.selectionSet.selections.every(
            (s) => s.kind === Kind.FIELD && s.name.value.startsWith('__'),
          )
        ) {
          return; // pure introspection: tools need it whole
        }
        const depth = operationDepth(document, operation);
        if (depth > maxDepth) {
          throw new DomainError(
            ErrorCode.QUERY_TOO_DEEP,
            `The query nests ${depth} levels deep; at most ${maxDepth} are allowed`,
            {
              details: { depth, maxDepth },
            },
          );
        }
        let complexity: number;
        try {
          complexity = getComplexity({
            schema: schema as GraphQLSchema,
            query: document,
            operationName: request.operationName ?? undefined,
            variables: request.variables ?? {},
            estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
          });
        } catch (error) {
          // Variables that do not coerce: execution reports them as BAD_USER_INPUT.
          if (error instanceof GraphQLError) return;
          throw error;
        }
        if (complexity > maxComplexity) {
          throw new DomainError(
            ErrorCode.QUERY_TOO_COMPLEX,
            `The query would cost ${complexity}; at most ${maxComplexity} is allowed (ask for smaller pages or fewer fields)`,
            { details: { complexity, maxComplexity } },
          );
        }
      },
      willSendResponse: async ({ operation, errors, response }) => {
        const type = operation?.operation ?? 'unknown';
        const root = operation?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
        const failed =
          (errors?.length ?? 0) > 0 ||
          (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
        this.metrics.graphqlOperations.inc({
          endpoint,
          type,
          operation: root?.kind === Kind.FIELD ? root.name.value : 'unknown',
          outcome: failed ? 'error' : 'ok',
        });
        this.metrics.graphqlDuration.observe(
          { endpoint, type },
          Number(process.hrtime.bigint() - started) / 1e9,
        );
      },
    };
  }
}
