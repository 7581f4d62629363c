import { Injectable, type NestMiddleware } from '@nestjs/common';
import { type NextFunction, type Request, type Response } from 'express';
import { type BundleFile, bundleFilePaths } from './playground-assets.js';
import { PLAYGROUND_CSP, PLAYGROUND_HTML, PLAYGROUND_START_JS } from './playground-page.js';

const SECURITY_HEADERS = {
  'Content-Security-Policy': PLAYGROUND_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** What API clients may ask for on GET /graphql; a browser navigating there prefers HTML. */
const GRAPHQL_MEDIA_TYPES = ['application/json', 'application/graphql-response+json', 'text/html'];

/**
 * GET /graphql from a browser gets the playground; every other GET (API clients, GET
 * queries) goes on to Apollo, which decides as it did with its own landing page.
 */
@Injectable()
export class PlaygroundPageMiddleware implements NestMiddleware {
  use(req: Request, res: Response, next: NextFunction): void {
    if (req.accepts(GRAPHQL_MEDIA_TYPES) !== 'text/html') {
      next();
      return;
    }
    res.set(SECURITY_HEADERS).type('html').send(PLAYGROUND_HTML);
  }
}

/** The playground's files, by exact name: nothing else under the path is reachable. */
@Injectable()
export class PlaygroundAssetsMiddleware implements NestMiddleware {
  private readonly files = bundleFilePaths();

  use(req: Request, res: Response, next: NextFunction): void {
    // Mounted on each file's exact path (PlaygroundModule): the name is the last segment.
    const name = req.path.slice(req.path.lastIndexOf('/') + 1);
    if (name === 'start.js') {
      res.set(SECURITY_HEADERS).type('text/javascript').send(PLAYGROUND_START_JS);
      return;
    }
    const file = Object.hasOwn(this.files, name) ? this.files[name as BundleFile] : undefined;
    if (!file) {
      next();
      return;
    }
    // ETag and Last-Modified come with sendFile: a reload revalidates instead of fetching 7 MB again.
    res.sendFile(file, { headers: SECURITY_HEADERS }, (error) => {
      if (error && !res.headersSent) next(error);
    });
  }
}
