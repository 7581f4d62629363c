/** Names shared by the workflows, the tests, the README and docker-compose. */
export const WEBHOOK_PATH_PREFIX = 'whatsapp-hub';
export const ERROR_WORKFLOW_ID = 'whHubErrors';
/** Every WAHA call gives up after this long (got, n8n's HTTP client, has a default of its own). */
export const WAHA_TIMEOUT_MS = 15_000;
/** session.create: how long it waits for SCAN_QR_CODE (or WORKING) after creating the session. */
export const CREATE_START_DEADLINE_MS = 60_000;

export const CREDENTIALS = {
  webhookSecret: {
    id: 'whHubWebhookSecret',
    name: 'whatsapp-hub webhook secret',
    type: 'httpHeaderAuth',
    data: { name: 'X-Whatsapp-Hub-Secret', value: '={{ $env.N8N_WEBHOOK_SECRET }}' },
  },
  wahaApiKey: {
    id: 'whHubWahaApiKey',
    name: 'WAHA API key',
    type: 'httpHeaderAuth',
    data: { name: 'X-Api-Key', value: '={{ $env.WAHA_API_KEY }}' },
  },
  internalKey: {
    id: 'whHubInternalKey',
    name: 'whatsapp-hub internal API key',
    type: 'httpHeaderAuth',
    data: { name: 'X-Internal-Key', value: '={{ $env.WHATSAPP_HUB_INTERNAL_KEY }}' },
  },
} as const;

export type CredentialRef = { id: string; name: string };
export const credentialRef = (credential: { id: string; name: string }): CredentialRef => ({
  id: credential.id,
  name: credential.name,
});
