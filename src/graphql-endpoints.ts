import { INTERNAL_KEY_HEADER } from './auth/access.guard.js';
import { type AppConfig } from './config/env.js';

export interface GraphqlEndpoint {
  name: string;
  path: string;
  /** Checked-in SDL, relative to the repo root. */
  schemaFile: string;
  introspectionHeaders(config: AppConfig): Record<string, string>;
}

export const PUBLIC_GRAPHQL_PATH = '/graphql';
export const INTERNAL_GRAPHQL_PATH = '/internal/graphql';

/** Every GraphQL endpoint the service serves, each with its own schema. */
export const GRAPHQL_ENDPOINTS: readonly GraphqlEndpoint[] = [
  {
    name: 'public',
    path: PUBLIC_GRAPHQL_PATH,
    schemaFile: 'schema/public.graphql',
    introspectionHeaders: () => ({}),
  },
  {
    name: 'internal',
    path: INTERNAL_GRAPHQL_PATH,
    schemaFile: 'schema/internal.graphql',
    introspectionHeaders: (config) => ({ [INTERNAL_KEY_HEADER]: config.internalApi.key }),
  },
];
