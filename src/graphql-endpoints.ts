import { type AppConfig } from './config/env.js';

export interface GraphqlEndpoint {
  name: string;
  path: string;
  /** Checked-in SDL, relative to the repo root. */
  schemaFile: string;
  introspectionHeaders(config: AppConfig): Record<string, string>;
}

export const PUBLIC_GRAPHQL_PATH = '/graphql';

/** Every GraphQL endpoint the service serves, each with its own schema. */
export const GRAPHQL_ENDPOINTS: readonly GraphqlEndpoint[] = [
  {
    name: 'public',
    path: PUBLIC_GRAPHQL_PATH,
    schemaFile: 'schema/public.graphql',
    introspectionHeaders: () => ({}),
  },
];
