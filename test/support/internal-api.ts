import { INTERNAL_GRAPHQL_PATH, INTERNAL_KEY_HEADER } from '../../src/config/http-surface.js';
import { type GraphqlResult, type TestApp } from './app.js';

/**
 * Where n8n reaches the internal API: a test app, with the key it was started with; or a
 * service's base URL and a key (null sends none, as a caller without it would).
 */
export type InternalApiTarget = Pick<TestApp, 'url' | 'config'> | { url: string; key: string | null };

/**
 * One call to the internal GraphQL API as n8n's workflows make it: POST /internal/graphql with
 * the shared key in x-internal-key (plus `headers`, for callers that pose as something else).
 * Answers with the status, data and errors as they came, refusals included: checking them is
 * the test's part.
 */
export async function internalGql<T = Record<string, unknown>>(
  target: InternalApiTarget,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphqlResult<T>> {
  const key = 'config' in target ? target.config.internalApi.key : target.key;
  const response = await fetch(`${target.url}${INTERNAL_GRAPHQL_PATH}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key === null ? {} : { [INTERNAL_KEY_HEADER]: key }),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: Omit<GraphqlResult<T>, 'status'>;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`internal API answered ${response.status} with no JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, ...body };
}
