import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/** How the stand-in answers one path: a file, an error status, or first failures then the file. */
export type FileRoute =
  | { kind: 'file'; body: Buffer; mimetype?: string; filename?: string; delayMs?: number }
  | { kind: 'status'; status: number }
  /** `failures` answers of `status`, then the file. */
  | { kind: 'flaky'; failures: number; status: number; body: Buffer; mimetype?: string }
  /** A file sent without Content-Length (chunked), as a proxy might. */
  | { kind: 'chunked'; body: Buffer; mimetype?: string };

export interface WahaFilesServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** What WAHA would put in WAMedia.url: its own base URL (not reachable from the service), the path. */
  wahaUrlOf(path: string): string;
  route(path: string, route: FileRoute): void;
  /** Requests by path, with the API key each carried. */
  requests: { path: string; apiKey: string | undefined }[];
  close(): Promise<void>;
}

/**
 * Serves files as WAHA's /api/files does, on a random loopback port: each path answers as the
 * test routes it; an unrouted path is 404, as WAHA answers for a file past its lifetime.
 */
export async function startWahaFilesServer(): Promise<WahaFilesServer> {
  const routes = new Map<string, FileRoute>();
  const served = new Map<string, number>();
  const requests: WahaFilesServer['requests'] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const header = req.headers['x-api-key'];
    requests.push({ path, apiKey: Array.isArray(header) ? header[0] : header });
    const count = (served.get(path) ?? 0) + 1;
    served.set(path, count);
    const route = routes.get(path);
    if (!route)
      return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"statusCode":404}');
    switch (route.kind) {
      case 'status':
        return void res.writeHead(route.status).end();
      case 'flaky':
        if (count <= route.failures) return void res.writeHead(route.status).end('upstream trouble');
        return void res
          .writeHead(200, {
            'content-type': route.mimetype ?? 'application/octet-stream',
            'content-length': route.body.length,
          })
          .end(route.body);
      case 'chunked':
        res.writeHead(200, { 'content-type': route.mimetype ?? 'application/octet-stream' });
        for (let at = 0; at < route.body.length; at += 4096) res.write(route.body.subarray(at, at + 4096));
        return void res.end();
      case 'file': {
        const send = () =>
          res
            .writeHead(200, {
              'content-type': route.mimetype ?? 'application/octet-stream',
              'content-length': route.body.length,
              ...(route.filename
                ? { 'content-disposition': `attachment; filename="${route.filename}"` }
                : {}),
            })
            .end(route.body);
        if (route.delayMs) setTimeout(send, route.delayMs);
        else send();
        return;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    wahaUrlOf: (path) => `http://localhost:3000${path}`,
    route: (path, route) => void routes.set(path, route),
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
