import type {
  MeInfo,
  SessionConfig,
  SessionDTO,
  SessionInfo,
  SessionStatusPoint,
  WahaSessionStatus,
  WAMessage,
} from '../../../src/waha/waha.types.js';
import { meWithLimits, type SimLimits, type SimPasskey } from './sim-limits.js';
import { type SimQr, WAHA_CLOCK } from './sim-qr-clock.js';

export type SimEngineName = 'WEBJS' | 'NOWEB' | 'GOWS';

export interface SimChat {
  id: string;
  name: string | null;
  unreadCount: number;
  messages: WAMessage[];
}

export type SimGroupRole = 'participant' | 'admin' | 'superadmin';

export interface SimGroupParticipant {
  /** `<digits>@c.us` or `<digits>@lid`. */
  id: string;
  /** The phone-number id (`<digits>@c.us`) of a participant named by LID. */
  pn?: string;
  role: SimGroupRole;
}

export interface SimGroup {
  /** `<digits>@g.us` (or WhatsApp's older `<digits>-<digits>@g.us`). */
  id: string;
  subject: string;
  description: string;
  participants: SimGroupParticipant[];
  /** Unix seconds. */
  createdAt: number;
}

export interface SimSession {
  name: string;
  status: WahaSessionStatus;
  config: SessionConfig | undefined;
  /** The account, once the phone has linked (kept across stop/restart until logout). */
  me: MeInfo | null;
  qr: SimQr | null;
  /** When the last QR of the current window expires and the session fails. */
  qrWindowEndsAt: number | null;
  pairingCode: { code: string; phoneNumber: string; expiresAt: number } | null;
  failureReason: string | null;
  /** The passkey step in progress (PASSKEY_REQUIRED / PASSKEY_CONFIRMATION_REQUIRED). */
  passkey: SimPasskey | null;
  /** The account's message capping and reach-out timelock (WAHA 2026.8), shown on `me`. */
  limits: SimLimits;
  statuses: SessionStatusPoint[];
  activity: number | null;
  typing: Set<string>;
  chats: Map<string, SimChat>;
  /** The groups the account is in, by id. */
  groups: Map<string, SimGroup>;
  /** What the account knows of linked ids: `<digits>@lid` → `<digits>@c.us`. */
  lids: Map<string, string>;
  timer: NodeJS.Timeout | null;
}

/** The phone removed the device or logged out: what the account knew goes with it. */
export function forgetAccount(session: SimSession): void {
  session.me = null;
  session.limits = { capping: null, timelock: null };
  session.chats.clear();
  session.groups.clear();
  session.lids.clear();
}

/** What the control API shows of a session (`GET /__sim/sessions/:name`). */
export interface SimSessionState {
  name: string;
  status: WahaSessionStatus;
  linked: boolean;
  me: MeInfo | null;
  config: SessionConfig | null;
  qr: { value: string; index: number; of: number; issuedAt: number; expiresAt: number } | null;
  pairingCode: { code: string; phoneNumber: string; expiresAt: number } | null;
  failureReason: string | null;
  passkey: SimPasskey | null;
  limits: SimLimits;
  statuses: SessionStatusPoint[];
  typing: string[];
  chats: { id: string; name: string | null; unreadCount: number; messages: number }[];
  groups: SimGroup[];
  lids: { lid: string; pn: string }[];
}

export interface SimEngineOptions {
  engine: SimEngineName;
  timeScale: number;
  /** WAHA's WHATSAPP_FILES_LIFETIME in ms (scaled like WAHA's other durations); 0 keeps files. */
  filesLifetimeMs?: number;
}

/** What the control API shows of a session. */
export function sessionState(session: SimSession): SimSessionState {
  return {
    name: session.name,
    status: session.status,
    linked: session.me !== null,
    me: session.me,
    config: session.config ?? null,
    qr: session.qr ? { ...session.qr, of: WAHA_CLOCK.qrCount } : null,
    pairingCode: session.pairingCode,
    failureReason: session.failureReason,
    passkey: session.passkey ? structuredClone(session.passkey) : null,
    limits: structuredClone(session.limits),
    statuses: [...session.statuses],
    typing: [...session.typing],
    chats: [...session.chats.values()].map((c) => ({
      id: c.id,
      name: c.name,
      unreadCount: c.unreadCount,
      messages: c.messages.length,
    })),
    groups: [...session.groups.values()].map((g) => structuredClone(g)),
    lids: [...session.lids].map(([lid, pn]) => ({ lid, pn })),
  };
}

/** WAHA's SessionDTO: what create, update and the start/stop actions answer. */
export function sessionDto(session: SimSession): SessionDTO {
  return {
    name: session.name,
    status: session.status,
    ...(session.config ? { config: session.config } : {}),
  };
}

/** WAHA's SessionInfo: what the session list and `GET /api/sessions/{session}` answer. */
export function sessionInfo(session: SimSession): SessionInfo {
  return {
    name: session.name,
    status: session.status,
    ...(session.config ? { config: session.config } : {}),
    ...(session.me ? { me: meWithLimits(session) as MeInfo } : {}),
    assignedWorker: 'waha-sim',
    presence: {},
    timestamps: { activity: session.activity },
  };
}
