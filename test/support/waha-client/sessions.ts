import type { MeInfo, SessionConfig, SessionDTO, SessionInfo } from '../../../src/waha/waha.types.js';
import type { WahaHttp } from './waha-http.js';
import { assertSessionName } from './waha.validation.js';

export interface CreateSessionInput {
  name: string;
  config?: SessionConfig;
  /** Default true: WAHA's code defaults to false, although its spec says true. */
  start?: boolean;
}

/** `POST /api/sessions` → 201 SessionDTO; 422 if the name is taken. */
export async function createSession(http: WahaHttp, input: CreateSessionInput): Promise<SessionDTO> {
  const name = assertSessionName(input.name, 'name');
  // Trap: WAHA's spec says `start` defaults to true, its code defaults to false. Always send it.
  const json: Record<string, unknown> = { name, start: input.start ?? true };
  if (input.config) json.config = input.config;
  return http.call<SessionDTO>({
    operation: 'createSession',
    method: 'POST',
    path: 'api/sessions',
    session: name,
    json,
    idempotent: false,
  });
}

/** `GET /api/sessions/{session}` → SessionInfo; 404 when missing. */
export async function getSession(http: WahaHttp, session: string): Promise<SessionInfo> {
  const name = assertSessionName(session);
  return http.call<SessionInfo>({
    operation: 'getSession',
    method: 'GET',
    path: `api/sessions/${name}`,
    session: name,
    idempotent: true,
  });
}

/** `GET /api/sessions?all=true`: every session, STOPPED ones included. */
export async function listSessions(http: WahaHttp, options: { all?: boolean } = {}): Promise<SessionInfo[]> {
  const searchParams = new URLSearchParams();
  if (options.all ?? true) searchParams.set('all', 'true');
  return http.call<SessionInfo[]>({
    operation: 'listSessions',
    method: 'GET',
    path: 'api/sessions',
    searchParams,
    idempotent: true,
  });
}

/** `PUT /api/sessions/{session}`: replaces the config; WAHA restarts a running session. */
export async function updateSession(
  http: WahaHttp,
  session: string,
  config: SessionConfig,
): Promise<SessionDTO> {
  const name = assertSessionName(session);
  return http.call<SessionDTO>({
    operation: 'updateSession',
    method: 'PUT',
    path: `api/sessions/${name}`,
    session: name,
    json: { config },
    idempotent: true,
  });
}

/** `DELETE /api/sessions/{session}`: stop, log out and delete. Idempotent in WAHA. */
export async function deleteSession(http: WahaHttp, session: string): Promise<void> {
  const name = assertSessionName(session);
  await http.call<unknown>({
    operation: 'deleteSession',
    method: 'DELETE',
    path: `api/sessions/${name}`,
    session: name,
    idempotent: true,
  });
}

/**
 * `POST /api/sessions/{session}/{action}`. start and stop are idempotent (a running session
 * is left alone); restart and logout are not.
 */
export async function sessionAction(
  http: WahaHttp,
  session: string,
  action: 'start' | 'stop' | 'restart' | 'logout',
): Promise<SessionDTO> {
  const name = assertSessionName(session);
  return http.call<SessionDTO>({
    operation: `${action}Session`,
    method: 'POST',
    path: `api/sessions/${name}/${action}`,
    session: name,
    idempotent: action === 'start' || action === 'stop',
  });
}

/** `GET /api/sessions/{session}/me`: the linked account, or null before linking. */
export async function getMe(http: WahaHttp, session: string): Promise<MeInfo | null> {
  const name = assertSessionName(session);
  const me = await http.call<MeInfo | null | undefined>({
    operation: 'getMe',
    method: 'GET',
    path: `api/sessions/${name}/me`,
    session: name,
    idempotent: true,
  });
  return me ?? null;
}
