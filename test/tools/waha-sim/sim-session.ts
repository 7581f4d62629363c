import type {
  MeInfo,
  SessionConfig,
  SessionDTO,
  SessionInfo,
  SessionStatusPoint,
  WahaSessionStatus,
  WAMessage,
} from '../../../src/waha/waha.types.js';
import { type SimQr, WAHA_CLOCK } from './sim-qr-clock.js';

export type SimEngineName = 'WEBJS' | 'NOWEB' | 'GOWS';

export interface SimChat {
  id: string;
  name: string | null;
  unreadCount: number;
  messages: WAMessage[];
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
  statuses: SessionStatusPoint[];
  activity: number | null;
  typing: Set<string>;
  chats: Map<string, SimChat>;
  timer: NodeJS.Timeout | null;
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
  statuses: SessionStatusPoint[];
  typing: string[];
  chats: { id: string; name: string | null; unreadCount: number; messages: number }[];
}

export interface SimEngineOptions {
  engine: SimEngineName;
  timeScale: number;
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
    statuses: [...session.statuses],
    typing: [...session.typing],
    chats: [...session.chats.values()].map((c) => ({
      id: c.id,
      name: c.name,
      unreadCount: c.unreadCount,
      messages: c.messages.length,
    })),
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
    ...(session.me ? { me: session.me } : {}),
    assignedWorker: 'waha-sim',
    presence: {},
    timestamps: { activity: session.activity },
  };
}
