import { ContactIdsService } from '../../../src/chats/contact-ids.service.js';
import { type CommandPayloads } from '../../../src/outbox/commands.js';
import { sql, startTestApp, type TestApp } from '../../support/app.js';
import { deliver, type Delivered, type LinkedSession, linkedSession } from '../../support/linked-session.js';
import { type SimEngineName } from '../../tools/waha-sim/sim-session.js';
import { startWahaSimulator, type WahaSimulator } from '../../tools/waha-sim/waha-simulator.js';

/** The inbound and contact-ids specs' app, on a simulator of the engine they need (WEBJS has no phone numbers for LIDs). */
export interface InboundFixture {
  t: TestApp;
  sim: WahaSimulator;
  session: LinkedSession;
  link(tenant: string): Promise<LinkedSession>;
  deliver(
    event: string,
    payload: Record<string, unknown>,
    options?: { session?: LinkedSession; id?: string },
  ): Promise<Delivered>;
  close(): Promise<void>;
}

/**
 * The app and a linked session on a simulator of `engine`. Media downloads are off unless `env`
 * (given the simulator) turns them on: these specs look at the rows the webhook writes (the
 * download job is test/media/media-download's).
 */
export async function startInboundFixture(
  tenant: string,
  engine: SimEngineName,
  env: (sim: WahaSimulator) => Record<string, string> = () => ({}),
): Promise<InboundFixture> {
  const sim = await startWahaSimulator({ timeScale: 0.01, engine });
  let t: TestApp | undefined;
  const close = async () => {
    const closed = await Promise.allSettled([t?.close(), sim.close()]);
    const failed = closed.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  };
  try {
    t = await startTestApp({ MEDIA_DOWNLOADS: 'false', ...env(sim) });
    const app = t;
    const session = await linkedSession(app, sim, tenant);
    return {
      t: app,
      sim,
      session,
      link: (other) => linkedSession(app, sim, other),
      deliver: (event, payload, options = {}) =>
        deliver(app, options.session ?? session, event, payload, options.id ? { id: options.id } : {}),
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

export const MESSAGE_PARTS = `id localId wahaId chatId type body caption hasMedia
  media { state mimetype filename failureReason }
  replyTo { messageId excerpt } author { wahaId phoneId }
  location { latitude longitude name address live } vCards`;

export interface ShownMessage {
  /** Our id (wm_…); localId is the same. */
  id: string;
  localId: string;
  /** WAHA's message id. */
  wahaId: string | null;
  /** WAHA's chat id. */
  chatId: string;
  type: string;
  body: string | null;
  caption: string | null;
  hasMedia: boolean;
  media: {
    state: string;
    mimetype: string | null;
    filename: string | null;
    failureReason: string | null;
  } | null;
  replyTo: { messageId: string; excerpt: string | null } | null;
  author: { wahaId: string; phoneId: string | null } | null;
  location: {
    latitude: string;
    longitude: string;
    name: string | null;
    address: string | null;
    live: boolean;
  } | null;
  vCards: string[] | null;
}

/** A chat's messages as the dashboard reads them, oldest first. */
export async function shownMessages(
  t: TestApp,
  session: LinkedSession,
  chatId: string,
): Promise<ShownMessage[]> {
  const result = await t.gql<{ messages: { edges: { node: ShownMessage }[] } }>(
    `query($sessionId: ID!, $chatId: ID!) { messages(sessionId: $sessionId, chatId: $chatId, first: 100) { edges { node { ${MESSAGE_PARTS} } } } }`,
    { sessionId: session.id, chatId },
    { token: session.token },
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.messages.edges.map((edge) => edge.node).reverse();
}

/** The session's chats as the dashboard's list shows them. */
export async function shownChats(t: TestApp, session: LinkedSession) {
  const result = await t.gql<{
    chats: {
      edges: {
        node: {
          id: string;
          chatId: string;
          chatIds: string[];
          unreadCount: number;
          lastMessage: { id: string; wahaId: string | null } | null;
        };
      }[];
    };
  }>(
    `query($sessionId: ID!) { chats(sessionId: $sessionId, first: 100) { edges { node { id chatId chatIds unreadCount lastMessage { id wahaId } } } } }`,
    { sessionId: session.id },
    { token: session.token },
  );
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.chats.edges.map((edge) => edge.node);
}

/** The contact.lookup commands written for the session. */
export async function lookups(
  t: TestApp,
  session: LinkedSession,
): Promise<CommandPayloads['contact.lookup'][]> {
  const rows = await sql<{ payload: CommandPayloads['contact.lookup'] }>(
    t,
    `select payload from outbox_commands where type = 'contact.lookup' and session_id = ? order by id`,
    [session.id],
  );
  return rows.map((row) => row.payload);
}

const jid = (id: string) => id.replace(/@c\.us$/, '@s.whatsapp.net');
let serial = 0;

/** A person's message as NOWEB delivers it, under `chatId`, naming the other id when `alt` is given. */
export function personMessage(
  session: LinkedSession,
  chatId: string,
  options: { alt?: string; engineId?: string; body?: string; seconds?: number } = {},
) {
  const engineId = options.engineId ?? `BAE5${(++serial).toString(16).toUpperCase().padStart(12, '0')}`;
  return {
    id: `false_${chatId}_${engineId}`,
    timestamp: options.seconds ?? 1_800_000_000 + serial,
    from: chatId,
    fromMe: false,
    source: 'app',
    to: session.me,
    body: options.body ?? `message ${engineId}`,
    hasMedia: false,
    ack: 1,
    ackName: 'SERVER',
    _data: {
      key: {
        remoteJid: jid(chatId),
        fromMe: false,
        id: engineId,
        ...(options.alt ? { remoteJidAlt: jid(options.alt), addressingMode: 'lid' } : {}),
      },
      message: { conversation: options.body ?? `message ${engineId}` },
    },
  };
}

/**
 * A ContactIdsService on the app's own ORM and events, as the chats module makes it (the service
 * is stateless; asking Nest for a provider it lacks would end the process, not throw).
 */
export function contactIdsOf(t: TestApp): ContactIdsService {
  return t.app.get(ContactIdsService);
}
