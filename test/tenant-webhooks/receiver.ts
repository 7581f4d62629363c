import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

/** A request a test endpoint got. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status it was answered with. */
  status: number;
}

/**
 * A tenant's webhook receiver on 127.0.0.1: every path answers 200 unless a plan says otherwise
 * (statuses in turn, the last repeated; 302 redirects to /redirected).
 */
export interface Receiver {
  url: string;
  received(path?: string): Received[];
  plan(path: string, statuses: number[]): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const log: Received[] = [];
  const plans = new Map<string, number[]>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const plan = plans.get(path);
      const status = plan ? (plan.length > 1 ? plan.shift()! : plan[0]!) : 200;
      log.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      if (status === 302) response.writeHead(302, { location: '/redirected' }).end();
      else
        response
          .writeHead(status, { 'content-type': 'text/plain' })
          .end(`answer ${status} ${'x'.repeat(400)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: (path) => log.filter((r) => path === undefined || r.path === path),
    plan: (path, statuses) => plans.set(path, [...statuses]),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
