import { type AppConfig } from '../config/env.js';
import { INTERNAL_GRAPHQL_PATH, INTERNAL_KEY_HEADER, PUBLIC_GRAPHQL_PATH } from '../config/http-surface.js';

export interface GraphqlEndpoint {
  name: string;
  path: string;
  /** Checked-in SDL, relative to the repo root. */
  schemaFile: string;
  introspectionHeaders(config: AppConfig): Record<string, string>;
}

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
