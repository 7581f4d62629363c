export const SESSION_FIELDS = `
  id displayName authMethod phoneNumber status
  me { wahaId pushName } qr { value expiresAt sequence } pairingCode { code expiresAt } lastError { message at }
  createdAt updatedAt createdBy updatedBy
`;

export const CREATE = `mutation($input: CreateWhatsappSessionInput!) { createWhatsappSession(input: $input) { ${SESSION_FIELDS} } }`;
export const GET = `query($id: ID!) { whatsappSession(id: $id) { ${SESSION_FIELDS} } }`;
export const LIST = `query($first: Int, $after: String, $last: Int, $before: String, $filter: WhatsappSessionFilter) {
  whatsappSessions(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
    edges { cursor node { id displayName status } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
export const RENAME = `mutation($id: ID!, $displayName: String!) { renameWhatsappSession(id: $id, displayName: $displayName) { ${SESSION_FIELDS} } }`;
export const UPDATE = `mutation($id: ID!, $input: UpdateWhatsappSessionInput!) { updateWhatsappSession(id: $id, input: $input) { ${SESSION_FIELDS} } }`;
export const DELETE = `mutation($id: ID!) { deleteWhatsappSession(id: $id) { id status } }`;

export interface SessionResult {
  id: string;
  displayName: string;
  authMethod: string;
  phoneNumber: string | null;
  status: string;
  createdBy: string;
  updatedBy: string;
  createdAt: string;
  updatedAt: string;
}
