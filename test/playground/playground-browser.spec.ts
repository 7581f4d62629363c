import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app.js';

/**
 * The GraphQL playground in a real headless Chromium, as a developer on an air-gapped
 * network opens it: everything it loads must come from the service itself.
 *
 * CI installs Debian's chromium (.ci/run); a machine without it fails here with the fix in
 * the message rather than skipping, so a green run always means the browser test ran.
 */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Generous: a 5 MB bundle parsed on a busy 2-core machine. Waits end on outcomes, not on this. */
const UI_TIMEOUT_MS = 120_000;

const VIEWER = '{ viewer { userId roles tenant { slug name } } }';
const SESSIONS_UPDATED = 'subscription { whatsappSessionsUpdated { deleted session { id displayName } } }';

interface Visit {
  page: Page;
  /** Every URL the page (or a worker of it) asked for, WebSockets included. */
  urls: string[];
  /** Content-Security-Policy violations the page reported. */
  violations: string[];
}

/** Matches exactly `text` as Monaco shows it: any whitespace (it renders no-break spaces) for a space. */
function exactly(text: string): RegExp {
  const words = text
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^\\s*${words.join('\\s+')}\\s*$`);
}

/** URLs that went anywhere but the service on 127.0.0.1 (data: and blob: stay in the page). */
function external(urls: string[]): string[] {
  return urls.filter((url) => {
    const { protocol, hostname } = new URL(url);
    if (protocol === 'data:' || protocol === 'blob:') return false;
    return hostname !== '127.0.0.1';
  });
}

describe('GraphQL playground in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `No Chromium at ${CHROMIUM}: the playground test needs a real browser. ` +
          'Install it (apt-get install -y chromium; .ci/run does) or point CHROMIUM_PATH at one.',
      );
    }
    t = await startTestApp();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
  }, UI_TIMEOUT_MS);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await t?.close();
  });

  /** A fresh browser profile (no stored headers or tabs) on the playground's page. */
  async function openPlayground(path = '/graphql'): Promise<Visit> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    contexts.push(context);
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const visit: Visit = { page: await context.newPage(), urls: [], violations: [] };
    context.on('request', (request) => visit.urls.push(request.url()));
    visit.page.on('websocket', (socket) => visit.urls.push(socket.url()));
    visit.page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) visit.violations.push(message.text());
    });

    const response = await visit.page.goto(`${t.url}${path}`, { waitUntil: 'load' });
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    expect(external(visit.urls)).toEqual([]);
    // Anything the page tries to load from elsewhere is refused by the browser, and shows.
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'self'/);

    // The editors rendered: the bundle ran and GraphiQL mounted Monaco.
    await visit.page.locator('.graphiql-query-editor .monaco-editor').waitFor();
    return visit;
  }

  /**
   * Replaces the text of a Monaco editor as a paste would (typed brackets would be
   * auto-closed), then drops what Monaco auto-closed after the cursor.
   */
  async function replaceText(page: Page, editor: string, text: string): Promise<void> {
    const lines = page.locator(`${editor} .monaco-editor .view-lines`);
    await lines.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(text);
    await page.keyboard.press('ControlOrMeta+Shift+End');
    await page.keyboard.press('Delete');
    await page.locator(`${editor} .monaco-editor .view-lines`, { hasText: exactly(text) }).waitFor();
  }

  async function setHeaders(page: Page, headers: Record<string, string>): Promise<void> {
    await page.getByRole('button', { name: 'Headers' }).click();
    await replaceText(page, '.graphiql-editor-tool .graphiql-editor:not(.hidden)', JSON.stringify(headers));
  }

  async function run(page: Page, query: string): Promise<void> {
    await replaceText(page, '.graphiql-query-editor', query);
    await page.locator('.graphiql-execute-button').click();
  }

  /** Waits until the result pane shows `text` (Monaco renders spaces as no-break spaces). */
  async function resultShows(page: Page, text: string): Promise<void> {
    await page.locator('.graphiql-response', { hasText: text }).waitFor();
  }

  function expectOffline(visit: Visit): void {
    expect(external(visit.urls)).toEqual([]);
    expect(visit.violations).toEqual([]);
  }

  it(
    'renders from the service alone and runs a query with a Bearer token from the headers pane',
    async () => {
      const token = await t.token('acme', { userId: 'alice', roles: ['viewer'] });
      const visit = await openPlayground();
      const { page } = visit;

      await setHeaders(page, { Authorization: `Bearer ${token}` });
      const answered = page.waitForResponse(
        (response) =>
          response.url() === `${t.url}/graphql` &&
          response.request().method() === 'POST' &&
          (response.request().postData() ?? '').includes('viewer'),
      );
      await run(page, VIEWER);
      const response = await answered;
      expect(response.request().headers()['authorization']).toBe(`Bearer ${token}`);
      expect(await response.json()).toMatchObject({
        data: { viewer: { userId: 'alice', roles: ['viewer'], tenant: { slug: 'acme' } } },
      });

      await resultShows(page, '"slug": "acme"');
      await resultShows(page, '"userId": "alice"');
      if (process.env['PLAYGROUND_SCREENSHOT']) {
        await page.screenshot({ path: process.env['PLAYGROUND_SCREENSHOT'] });
      }
      expectOffline(visit);
    },
    UI_TIMEOUT_MS * 2,
  );

  it(
    'shows UNAUTHENTICATED when run without a token',
    async () => {
      const visit = await openPlayground();
      await run(visit.page, VIEWER);
      await resultShows(visit.page, '"code": "UNAUTHENTICATED"');
      await resultShows(visit.page, 'A dashboard token, identity-provider token or API key is required');
      expectOffline(visit);
    },
    UI_TIMEOUT_MS * 2,
  );

  it(
    'runs a subscription over graphql-ws on /graphql, authenticated from the headers pane',
    async () => {
      const token = await t.token('subs', { roles: ['admin'] });
      const visit = await openPlayground();
      const { page } = visit;
      await setHeaders(page, { Authorization: `Bearer ${token}` });
      await run(page, SESSIONS_UPDATED);

      // The socket connects once the run starts; then each change shows in the result pane.
      // Changes are repeated until one lands: the subscription starts asynchronously server-side.
      const created = await t.gql<{ createWhatsappSession: { id: string } }>(
        'mutation { createWhatsappSession(input: { displayName: "Front desk" }) { id } }',
        {},
        { token },
      );
      expect(created.errors).toBeUndefined();
      const id = created.data!.createWhatsappSession.id;
      const shown = page.locator('.graphiql-response', { hasText: 'Renamed from the playground' });
      for (let attempt = 1; (await shown.count()) === 0; attempt++) {
        const renamed = await t.gql(
          `mutation($id: ID!, $name: String!) { renameWhatsappSession(id: $id, displayName: $name) { id } }`,
          { id, name: `Renamed from the playground ${attempt}` },
          { token },
        );
        expect(renamed.errors).toBeUndefined();
        await page.waitForTimeout(100);
      }
      await resultShows(page, `"id": "${id}"`);
      expect(visit.urls).toContain(`${t.url.replace(/^http/, 'ws')}/graphql`);
      expectOffline(visit);
    },
    UI_TIMEOUT_MS * 2,
  );

  it(
    'honours ?query= links and still answers API clients on GET /graphql',
    async () => {
      const visit = await openPlayground(`/graphql?query=${encodeURIComponent('{ viewer { userId } }')}`);
      await visit.page
        .locator('.graphiql-query-editor .view-lines', { hasText: '{ viewer { userId } }' })
        .waitFor();

      // Not a browser navigation: Apollo answers as before (here: its CSRF check on GET).
      const api = await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
        headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
      });
      expect(api.status).toBe(200);
      expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
    },
    UI_TIMEOUT_MS * 2,
  );
});

describe('GraphQL playground turned off (GRAPHQL_PLAYGROUND=false)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ GRAPHQL_PLAYGROUND: 'false' });
  });
  afterAll(() => t.close());

  it('serves neither the page nor its files', async () => {
    const page = await fetch(`${t.url}/graphql`, {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });
    const body = await page.text();
    expect(page.status).toBe(400);
    expect(body).not.toMatch(/graphiql/i);

    for (const file of ['start.js', 'graphiql.js', 'graphiql.css']) {
      const asset = await fetch(`${t.url}/graphql-playground/${file}`);
      expect({ file, status: asset.status }).toEqual({ file, status: 404 });
    }
  });
});
