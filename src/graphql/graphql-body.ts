import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { type AppConfig } from '../config/env.js';
import { ErrorCode } from '../common/domain-error.js';

function graphqlError(res: Response, status: number, code: string, message: string): void {
  // GraphQL-shaped, so Apollo Client and n8n's GraphQL node show the reason and the code.
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * JSON body parsing for the GraphQL endpoints, before the app's own parser (which then
 * leaves the request alone): a body over GRAPHQL_MAX_BODY_BYTES is 413 PAYLOAD_TOO_LARGE and
 * malformed JSON 400 BAD_REQUEST, in GraphQL's error shape instead of Express's.
 */
export function graphqlBodyParsers(config: AppConfig): [RequestHandler, express.ErrorRequestHandler] {
  const limit = config.graphql.maxBodyBytes;
  return [
    express.json({ limit }),
    (error: unknown, _req: Request, res: Response, next: NextFunction) => {
      const failure = error as { type?: string; status?: number };
      if (failure.type === 'entity.too.large') {
        graphqlError(res, 413, ErrorCode.PAYLOAD_TOO_LARGE, `The request body is larger than ${limit} bytes`);
        return;
      }
      if (failure.type === 'entity.parse.failed') {
        graphqlError(res, 400, 'BAD_REQUEST', 'The request body is not valid JSON');
        return;
      }
      if (typeof failure.status === 'number' && failure.status >= 400 && failure.status < 500) {
        graphqlError(res, failure.status, 'BAD_REQUEST', 'The request body could not be read');
        return;
      }
      next(error);
    },
  ];
}
