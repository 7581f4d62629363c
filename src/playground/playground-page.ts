import { PUBLIC_GRAPHQL_PATH } from '../config/http-surface.js';

/**
 * Where the playground's own files are served. Not under /graphql: Apollo is mounted on that
 * path as a prefix, so with the playground off these URLs must fall through to a plain 404.
 */
export const PLAYGROUND_ASSETS_PATH = '/graphql-playground';

/**
 * Only this service may be reached from the page: an accidental load from a CDN is refused
 * by the browser and reported in its console, instead of working online and leaving an
 * air-gapped network a blank page. Styles may be inline (React and Monaco set them at run
 * time); the CSS inlines its fonts as data: URLs. 'self' in connect-src covers ws:// to this
 * host, for subscriptions over graphql-ws.
 */
export const PLAYGROUND_CSP = [
  "default-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The page: a shell for the bundle (scripts are files, so the CSP needs no inline script). */
export const PLAYGROUND_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>whatsapp-hub GraphQL playground</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${PLAYGROUND_ASSETS_PATH}/graphiql.css" />
  </head>
  <body>
    <noscript>The GraphQL playground needs JavaScript.</noscript>
    <div id="root" style="height: 100vh"></div>
    <script src="${PLAYGROUND_ASSETS_PATH}/graphiql.js"></script>
    <script src="${PLAYGROUND_ASSETS_PATH}/start.js"></script>
  </body>
</html>
`;

const DEFAULT_QUERY = `# whatsapp-hub's public API: every operation needs a dashboard
# token. Put {"Authorization": "Bearer <token>"} in the Headers
# pane below; get a token with
#   npm run -s token -- --tenant acme --user alice --quiet
# Ctrl-Enter runs; subscriptions run over graphql-ws on /graphql.

{
  viewer {
    userId
    roles
    tenant {
      slug
      name
    }
  }
}
`;

/**
 * Mounts the bundle's GraphiQL (a browser script, kept to ES5 syntax so it needs no build).
 *
 * Monaco's workers come from this service, not blob: URLs. Subscriptions use graphql-ws,
 * whose socket carries no HTTP headers: it authenticates in connection_init with the
 * Headers pane's JSON (what src/graphql/graphql-ws.ts reads), taken when the socket opens,
 * which is at the first subscription after the pane last changed (the socket closes when
 * no subscription is left).
 */
export const PLAYGROUND_START_JS = `'use strict';
(function () {
  var assets = ${JSON.stringify(`${PLAYGROUND_ASSETS_PATH}/`)};
  var workers = { editorWorkerService: 'editor.worker.js', json: 'json.worker.js', graphql: 'graphql.worker.js' };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (_moduleId, label) {
      return assets + (workers[label] || workers.editorWorkerService);
    },
  };

  var headers = '';
  try {
    headers = window.localStorage.getItem('graphiql:headers') || '';
  } catch (error) {
    // No storage (a locked-down browser): the pane starts empty anyway.
  }
  function connectionParams() {
    try {
      var parsed = JSON.parse(headers || '{}');
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
    } catch (error) {
      return {};
    }
  }

  YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), {
    title: 'whatsapp-hub',
    endpoint: ${JSON.stringify(PUBLIC_GRAPHQL_PATH)},
    subscriptionsProtocol: 'WS',
    connectionParams: connectionParams,
    onEditHeaders: function (value) {
      headers = value;
    },
    query: new URLSearchParams(window.location.search).get('query') || ${JSON.stringify(DEFAULT_QUERY)},
  });
})();
`;
