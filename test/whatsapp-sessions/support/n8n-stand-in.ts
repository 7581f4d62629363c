import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type CommandPayloads } from '../../../src/outbox/commands.js';
import { startWahaSimulator, type WahaSimulator } from '../../tools/waha-sim/waha-simulator.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { report } from '../../realtime/support.js';

/** What WAHA (the simulator) showed when the stand-in fetched a QR or requested a code. */
export interface SimQr {
  value: string;
  index: number;
  issuedAt: number;
  expiresAt: number;
  /**
   * WAHA had replaced it by the time the service had the report (a busy machine delayed the
   * report past a rotation): its number and expiry can only be inferred, not known.
   */
  reportedLate?: boolean;
}

export interface SimPairingCode {
  code: string;
  expiresAt: number;
}

interface Envelope {
  commandId: string;
  type: string;
  sessionId: string;
  payload: Record<string, unknown>;
}

export interface N8nStandIn {
  url: string;
  /** The app whose outbox delivers here (set once it listens: its URL is WAHA's webhook target). */
  attach(t: TestApp): void;
  /** Per session, every QR fetched from WAHA, in order, with WAHA's own schedule for it. */
  qrs: Map<string, SimQr[]>;
  codes: Map<string, SimPairingCode[]>;
  /** Ids of the commands whose write-backs have all landed. */
  done: Set<string>;
  errors: unknown[];
  close(): Promise<void>;
}

/**
 * n8n's part of the session workflows, over real HTTP: the service's outbox (OUTBOX_DISPATCH
 * on, N8N_BASE_URL pointed here) delivers each command, which is answered at once and then run
 * against the WAHA simulator the way n8n/workflows/*.json run it, its results written back
 * through the internal GraphQL API. WAHA's webhooks go to the app itself, signed, as configured
 * by the session.create command's WAHA request. One producer per QR, as n8n/CONTRACT.md has
 * it: session.create waits for WAHA to start the session and stops (for PHONE_CODE once it
 * reported the pairing code); every QR, the first included, is WAHA's SCAN_QR_CODE webhook to
 * the app, which queues a session.fetchQr for this stand-in.
 */
export async function startN8nStandIn(sim: WahaSimulator): Promise<N8nStandIn> {
  let app: TestApp | undefined;
  const qrs = new Map<string, SimQr[]>();
  const codes = new Map<string, SimPairingCode[]>();
  const done = new Set<string>();
  const errors: unknown[] = [];

  const waha = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const fetchQr = async (t: TestApp, command: Envelope) => {
    const response = await waha('GET', `/api/${command.sessionId}/auth/qr?format=raw`);
    const body = (await response.json()) as { value?: string; status?: string };
    if (!response.ok) {
      // As the workflow: a 422 names the status WAHA moved on to.
      if (body.status) {
        await report(t, 'reportSessionStatus', {
          sessionId: command.sessionId,
          commandId: command.commandId,
          status: body.status,
        });
      }
      return;
    }
    const shown = sim.session(command.sessionId)?.qr;
    let fetched: SimQr | undefined;
    if (shown && shown.value === body.value) {
      const list = qrs.get(command.sessionId) ?? [];
      fetched = list.find((qr) => qr.value === shown.value);
      if (!fetched) list.push((fetched = { ...shown }));
      qrs.set(command.sessionId, list);
    }
    await report(t, 'reportQr', {
      sessionId: command.sessionId,
      commandId: command.commandId,
      value: body.value,
    });
    // Still shown once the report is answered: the service had it while WAHA showed it.
    if (fetched && sim.session(command.sessionId)?.qr?.value !== fetched.value) fetched.reportedLate = true;
  };

  const requestCode = async (t: TestApp, command: Envelope, phoneNumber: string) => {
    const response = await waha('POST', `/api/${command.sessionId}/auth/request-code`, { phoneNumber });
    const { code } = (await response.json()) as { code: string };
    const shown = sim.session(command.sessionId)?.pairingCode;
    if (shown) codes.set(command.sessionId, [...(codes.get(command.sessionId) ?? []), { ...shown }]);
    await report(t, 'reportPairingCode', {
      sessionId: command.sessionId,
      commandId: command.commandId,
      code,
    });
  };

  const reportStatusFrom = async (t: TestApp, command: Envelope, response: Response) => {
    const { status } = (await response.json()) as { status: string };
    await report(t, 'reportSessionStatus', {
      sessionId: command.sessionId,
      commandId: command.commandId,
      status,
    });
  };

  const run = async (t: TestApp, command: Envelope): Promise<void> => {
    switch (command.type) {
      case 'session.create': {
        const { wahaRequest, authMethod, phoneNumber } = command.payload as CommandPayloads['session.create'];
        const webhooks = wahaRequest.config.webhooks.map((hook) => ({
          ...hook,
          url: `${t.url}/webhooks/waha`,
        }));
        const created = await waha('POST', '/api/sessions', {
          ...wahaRequest,
          config: { ...wahaRequest.config, webhooks },
        });
        if (created.status !== 201) throw new Error(`WAHA create: ${created.status} ${await created.text()}`);
        await sim.waitForStatus(command.sessionId, 'SCAN_QR_CODE');
        // A QR session's QRs come from session.fetchQr, queued for WAHA's SCAN_QR_CODE webhook.
        if (authMethod === 'PHONE_CODE') await requestCode(t, command, phoneNumber!);
        return;
      }
      case 'session.fetchQr':
        return fetchQr(t, command);
      case 'session.requestCode':
        return requestCode(t, command, String(command.payload['phoneNumber']));
      case 'session.stop':
      case 'session.restart':
      case 'session.logout': {
        const action = command.type.slice('session.'.length);
        return reportStatusFrom(
          t,
          command,
          await waha('POST', `/api/sessions/${command.sessionId}/${action}`),
        );
      }
      default:
        return;
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // n8n's Webhook nodes answer at once; the workflow runs after.
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":"Workflow was started"}');
      const command = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope;
      if (!app) {
        errors.push(new Error(`command ${command.type} before the app was attached`));
        return;
      }
      run(app, command).then(
        () => done.add(command.commandId),
        (error: unknown) => errors.push(error),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    attach: (t) => {
      app = t;
    },
    qrs,
    codes,
    done,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface StandInStack {
  t: TestApp;
  sim: WahaSimulator;
  n8n: N8nStandIn;
  /** A dashboard token of tenant `shop`. */
  token: string;
  close(): Promise<void>;
}

/**
 * The service with its outbox delivering to the stand-in, which runs the commands against a
 * simulator on a fast clock; the service is told the same clock (WAHA_TIME_SCALE), as the dev
 * runner does. `env`: more of the service's settings (REDIS_URL, say).
 */
export async function startStandInStack(
  timeScale: number,
  env: Record<string, string> = {},
): Promise<StandInStack> {
  const sim = await startWahaSimulator({ timeScale });
  const n8n = await startN8nStandIn(sim);
  const t = await startTestApp({
    OUTBOX_DISPATCH: 'true',
    N8N_BASE_URL: n8n.url,
    CREATE_QR_WAIT_MS: '0',
    WAHA_TIME_SCALE: String(timeScale),
    ...env,
  });
  n8n.attach(t);
  return {
    t,
    sim,
    n8n,
    token: await t.token('shop'),
    async close() {
      await n8n.close();
      await sim.close();
      await t.close();
    },
  };
}
