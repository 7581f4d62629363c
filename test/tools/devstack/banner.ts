/**
 * What `npm run dev` prints once everything runs: where to go, the token, and the curl commands
 * for a first session; again on Enter or SIGUSR2.
 */
import { redactUrl } from './settings.js';

/** The operations this build serves, so the banner shows only commands the service accepts. */
export async function servedOperations(graphqlUrl: string, token: string): Promise<Set<string>> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query:
        '{ q: __type(name: "Query") { fields { name } } m: __type(name: "Mutation") { fields { name } } }',
    }),
  });
  const data = ((await response.json()) as { data?: Record<string, { fields: { name: string }[] } | null> })
    .data;
  return new Set(Object.values(data ?? {}).flatMap((type) => type?.fields.map((field) => field.name) ?? []));
}

interface BannerInput {
  serviceUrl: string;
  token: string;
  tenant: string;
  wahaUrl: string;
  simulated: boolean;
  /** WAHA's clock against real time (the simulator's; 1 for a real WAHA). */
  timeScale: number;
  n8nUrl: string;
  n8nStarted: boolean;
  database: string;
  /** `npm run token` against this run's database, for tokens of other tenants. */
  tokenCommand: string;
  pubsub: string;
  operations: Set<string>;
  seconds: number;
  /** How to see the banner again. */
  again: string;
}

/** Turns `'$SESSION'` placeholders inside a single-quoted JSON body into shell expansions. */
function gqlCurl(serviceUrl: string, query: string): string {
  const body = JSON.stringify({ query }).replace(/\$SESSION/g, `'"$SESSION"'`);
  return (
    `curl -s ${serviceUrl}/graphql -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\\n` +
    `       -d '${body}'`
  );
}

/** WAHA's QR lifetimes as this run has them. */
function qrTimes(scale: number): string {
  const seconds = (ms: number): string => `${Number(((ms * scale) / 1000).toFixed(2))} s`;
  return `${seconds(60_000)}, then ${seconds(20_000)} each${scale === 1 ? '' : ` at time scale ${scale}`}`;
}

/**
 * The token CLI reads DATABASE_URL like the service: the runner's database may be another one
 * (a probed server, or the embedded one whose password is in a file), so the command names it;
 * the embedded server's password is read from its file rather than printed.
 */
export function tokenCommand(databaseUrl: string, passwordFile: string | undefined): string {
  const cli = 'npm run -s token -- --tenant <slug> --quiet';
  if (process.env['DATABASE_URL']?.trim()) return cli;
  if (!passwordFile) return `DATABASE_URL=${redactUrl(databaseUrl)} ${cli}`;
  const url = new URL(databaseUrl);
  url.password = 'PASSWORD';
  return `DATABASE_URL=${url.toString().replace('PASSWORD', `$(cat ${passwordFile})`)} ${cli}`;
}

export function banner(input: BannerInput): string {
  const line = '─'.repeat(100);
  const graphql = `${input.serviceUrl}/graphql`;
  const create = gqlCurl(
    input.serviceUrl,
    'mutation { createWhatsappSession(input: {displayName: "My phone"}) { id status qr { value sequence expiresAt } } }',
  );
  const status = gqlCurl(
    input.serviceUrl,
    'query { whatsappSession(id: "$SESSION") { id status qr { value sequence expiresAt } me { wahaId pushName } } }',
  );
  const link = input.simulated
    ? `curl -s -X POST ${input.wahaUrl}/__sim/sessions/$SESSION/link -H 'content-type: application/json' \\\n` +
      `       -d '{"me": {"id": "4915100000001@c.us", "pushName": "My phone"}}'`
    : undefined;
  const send = input.operations.has('sendWhatsappMessage')
    ? gqlCurl(
        input.serviceUrl,
        'mutation { sendWhatsappMessage(sessionId: "$SESSION", to: "4917000000001@c.us", text: "Hello from whatsapp-hub") { id status } }',
      )
    : undefined;
  const messages = input.operations.has('messages')
    ? gqlCurl(
        input.serviceUrl,
        'query { messages(sessionId: "$SESSION", chatId: "4917000000001@c.us", first: 5) { edges { node { body direction status ackName } } } }',
      )
    : undefined;
  const steps = [
    `  # 1. Create a session; the answer carries its id and (within CREATE_QR_WAIT_MS) its first QR.`,
    `  #    Display names are unique per tenant: use another one for a second session.`,
    `  ${create}`,
    `  export SESSION=<the id from the answer>`,
    `  # 2. Its status, QR (WAHA rotates it: ${qrTimes(input.timeScale)}) and, once linked, its account:`,
    `  ${status}`,
    link
      ? `  # 3. "Scan" the QR with the simulator's phone (SCAN_QR_CODE → WORKING):\n  ${link}`
      : `  # 3. Scan the QR with WhatsApp on your phone (Linked devices), then ask for the status again.`,
    send
      ? `  # 4. Send a text (the session must be WORKING); it is PENDING until WAHA took it, then SENT:\n  ${send}`
      : `  # 4. Sending texts is not in this build's API yet.`,
    ...(send && messages ? [`  # 5. The chat's messages with their delivery status:\n  ${messages}`] : []),
  ];
  return [
    '',
    line,
    `  whatsapp-hub is running (ready in ${input.seconds.toFixed(1)} s). Ctrl-C stops everything it started.`,
    '',
    `  GraphQL playground  ${graphql}`,
    `    headers pane:     {"Authorization": "Bearer ${input.token}"}`,
    `    (tenant ${input.tenant}, user dev-user, roles admin, valid 12 h)`,
    `    other tenants:    ${input.tokenCommand}`,
    `  ${input.simulated ? 'WAHA simulator' : 'WAHA          '}      ${input.wahaUrl}${input.simulated ? `   (phone controls: ${input.wahaUrl}/__sim, see test/tools/waha-sim/README.md)` : ''}`,
    `  n8n                 ${input.n8nUrl}${input.n8nStarted ? '   (editor; workflows imported and published)' : '   (external)'}`,
    `  PostgreSQL          ${input.database}`,
    `  pub/sub             ${input.pubsub}`,
    '',
    `  Try it from another terminal:`,
    `  export TOKEN=${input.token}`,
    ...steps,
    '',
    `  ${input.again}`,
    line,
    '',
  ].join('\n');
}

/**
 * The banner again, under whatever the logs printed since: on Enter at this terminal, or on
 * SIGUSR2 (from another one).
 */
export function showBannerOnDemand(text: string): void {
  const show = (): void => {
    process.stdout.write(text);
  };
  process.on('SIGUSR2', show);
  if (process.stdin.isTTY) {
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => {
      if (chunk.includes('\n')) show();
    });
  }
}
