import { randomBytes } from 'node:crypto';

/** WAHA's clock, in real milliseconds; the simulator multiplies each by its time scale. */
export const WAHA_CLOCK = {
  /** STARTING lasts this long before SCAN_QR_CODE (or WORKING for a linked session). */
  startingMs: 2_000,
  /** The first QR lives 60 s… */
  firstQrMs: 60_000,
  /** …each later one 20 s… */
  nextQrMs: 20_000,
  /** …6 in all, then the session FAILS. */
  qrCount: 6,
  /** WAHA waits up to 5 s for the needed status before answering 422. */
  statusWaitMs: 5_000,
} as const;

/** A WAHA duration in real milliseconds: scaled, whole (a client on the same scale computes the same). */
export function scaled(wahaMs: number, timeScale: number): number {
  return Math.round(wahaMs * timeScale);
}

export interface SimQr {
  value: string;
  /** 1 for the window's first QR, up to WAHA_CLOCK.qrCount. */
  index: number;
  issuedAt: number;
  expiresAt: number;
}

/** When a QR window opened at `startedAt` ends: its last QR expires and the session fails. */
export function qrWindowEnd(startedAt: number, timeScale: number): number {
  return (
    startedAt +
    scaled(WAHA_CLOCK.firstQrMs, timeScale) +
    (WAHA_CLOCK.qrCount - 1) * scaled(WAHA_CLOCK.nextQrMs, timeScale)
  );
}

/** QR `index` of a window, issued at `issuedAt`, with WAHA's lifetime for that place in the series. */
export function issueQr(index: number, issuedAt: number, timeScale: number): SimQr {
  const lifetime = scaled(index === 1 ? WAHA_CLOCK.firstQrMs : WAHA_CLOCK.nextQrMs, timeScale);
  return {
    value: `2@${token(48)},${token(32)},${token(32)},${token(16)}`,
    index,
    issuedAt,
    expiresAt: issuedAt + lifetime,
  };
}

function token(length: number): string {
  return randomBytes(length).toString('base64').slice(0, length);
}
