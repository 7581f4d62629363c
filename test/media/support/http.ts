import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body's `error` (this service's error shape), when it is one. */
  error: { code: string; message: string; details?: Record<string, unknown> } | undefined;
}

/**
 * One HTTP request with node:http, so a test controls the body exactly: a Buffer is sent with
 * its Content-Length, a list of chunks without (chunked), as a streaming client sends it. An
 * answer that comes before the body is all sent is still read.
 */
export function http(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | Buffer[] } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        let error;
        if (String(res.headers['content-type']).startsWith('application/json')) {
          error = (JSON.parse(body.toString()) as { error?: HttpAnswer['error'] }).error;
        }
        resolve({ status: res.statusCode!, headers: res.headers, body, error });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    const body = options.body;
    if (Buffer.isBuffer(body)) {
      req.setHeader('content-length', body.length);
      req.end(body);
    } else if (body) {
      for (const chunk of body) req.write(chunk);
      req.end();
    } else {
      req.end();
    }
  });
}
