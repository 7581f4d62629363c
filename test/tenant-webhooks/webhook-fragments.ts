import { type NodeType, toGlobalId } from '../../src/common/global-ids.js';

/** GraphQL documents of the tenant webhook specs. */
export const ENDPOINT_FIELDS = `id url events description enabled disabledReason consecutiveFailures previousSecretExpiresAt`;

export const CREATE_ENDPOINT = `mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { ${ENDPOINT_FIELDS} } } }`;
export const LIST_ENDPOINTS = `{ webhookEndpoints { ${ENDPOINT_FIELDS} } }`;
export const UPDATE_ENDPOINT = `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { ${ENDPOINT_FIELDS} } }`;
export const ROTATE_SECRET = `mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { secret endpoint { ${ENDPOINT_FIELDS} } } }`;
export const DELETE_ENDPOINT = `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }`;
export const DELIVERY_FIELDS = `id webhookId endpointId eventType payload status attemptCount lastStatusCode lastError deliveredAt
  attempts { attempt statusCode latencyMs error responseExcerpt }`;
export const DELIVERIES = `query($endpointId: ID!, $first: Int, $after: String, $last: Int, $before: String, $status: WebhookDeliveryStatus) {
  webhookDeliveries(endpointId: $endpointId, first: $first, after: $after, last: $last, before: $before, status: $status) {
    edges { cursor node { ${DELIVERY_FIELDS} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
export const REPLAY_DELIVERY = `mutation($id: ID!) { replayWebhookDelivery(id: $id) { ${DELIVERY_FIELDS} } }`;
export const REPLAY_ENDPOINT = `mutation($endpointId: ID!, $since: DateTime!) { replayWebhookEndpoint(endpointId: $endpointId, since: $since) }`;

export interface EndpointView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  previousSecretExpiresAt: string | null;
}

export interface DeliveryView {
  id: string;
  webhookId: string;
  endpointId: string;
  eventType: string;
  payload: string;
  status: string;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  attempts: {
    attempt: number;
    statusCode: number | null;
    latencyMs: number;
    error: string | null;
    responseExcerpt: string | null;
  }[];
}

/** Well-formed ids of an endpoint and a delivery as the API hands them out (`we_`/`wd_` and a UUID), naming no row. */
const SOME_ENDPOINT = toGlobalId('WebhookEndpoint', '00000000-0000-4000-8000-000000000001');
const SOME_DELIVERY = toGlobalId('WebhookDelivery', '00000000-0000-4000-8000-000000000001');

/**
 * The id arguments of the webhook operations, for the spec that spoils every id of the public
 * schema (test/whatsapp-sessions/session-bad-input.spec.ts): a spoiled id is refused before it is
 * looked up, and the error names the kind of id the argument takes.
 */
export const WEBHOOK_ID_CASES = {
  'Query.webhookDeliveries(endpointId)': {
    query: `query($endpointId: ID!) { webhookDeliveries(endpointId: $endpointId) { edges { node { id } } } }`,
    variables: () => ({ endpointId: SOME_ENDPOINT }),
    argument: 'endpointId',
    expected: 'WebhookEndpoint',
  },
  'Mutation.updateWebhookEndpoint(input.id)': {
    query: `mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, enabled: false }) { id } }`,
    variables: () => ({ id: SOME_ENDPOINT }),
    argument: 'id',
    field: 'input.id',
    expected: 'WebhookEndpoint',
  },
  'Mutation.rotateWebhookEndpointSecret(id)': {
    query: `mutation($id: ID!) { rotateWebhookEndpointSecret(id: $id) { secret } }`,
    variables: () => ({ id: SOME_ENDPOINT }),
    argument: 'id',
    expected: 'WebhookEndpoint',
  },
  'Mutation.deleteWebhookEndpoint(id)': {
    query: `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }`,
    variables: () => ({ id: SOME_ENDPOINT }),
    argument: 'id',
    expected: 'WebhookEndpoint',
  },
  'Mutation.replayWebhookDelivery(id)': {
    query: `mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }`,
    variables: () => ({ id: SOME_DELIVERY }),
    argument: 'id',
    expected: 'WebhookDelivery',
  },
  'Mutation.replayWebhookEndpoint(endpointId)': {
    query: `mutation($endpointId: ID!) { replayWebhookEndpoint(endpointId: $endpointId, since: "2026-01-01T00:00:00Z") }`,
    variables: () => ({ endpointId: SOME_ENDPOINT }),
    argument: 'endpointId',
    expected: 'WebhookEndpoint',
  },
} satisfies Record<
  string,
  {
    query: string;
    variables: () => Record<string, string>;
    argument: string;
    field?: string;
    expected: NodeType;
  }
>;
