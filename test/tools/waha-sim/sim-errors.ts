import type { WahaSessionStatus } from '../../../src/waha/waha.types.js';

/** An error WAHA would answer with: HTTP status plus WAHA's exact body. */
export class WahaHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(typeof body.message === 'string' ? body.message : String(body.error ?? status));
  }

  static notFound(message = 'Session not found'): WahaHttpError {
    return new WahaHttpError(404, { message, error: 'Not Found', statusCode: 404 });
  }

  static unprocessable(message: string): WahaHttpError {
    return new WahaHttpError(422, { message, error: 'Unprocessable Entity', statusCode: 422 });
  }

  static badRequest(messages: string[]): WahaHttpError {
    return new WahaHttpError(400, { message: messages, error: 'Bad Request', statusCode: 400 });
  }

  static wrongStatus(
    session: string,
    status: WahaSessionStatus,
    expected: WahaSessionStatus[],
  ): WahaHttpError {
    return new WahaHttpError(422, {
      error: 'Session status is not as expected. Try again later or restart the session',
      session,
      status,
      expected,
    });
  }
}

/** A misuse of the control API (not a WAHA answer): 409 with a plain message. */
export class SimControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
