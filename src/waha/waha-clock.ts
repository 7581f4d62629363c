/**
 * WAHA's QR clock: the first QR lives 60 s, each next one 20 s, six in all (about 160 s), then
 * WAHA fails the session. WAHA reports each QR (a session.status SCAN_QR_CODE event, stamped
 * on its clock) but never its expiry, so expiries are computed here, on WAHA's clock: its
 * durations times WAHA_TIME_SCALE (1 for a real WAHA; a faster simulator needs its own scale).
 * Whole milliseconds, so two parties computing the same schedule agree to the millisecond.
 */
export const QR_FIRST_TTL_MS = 60_000;
export const QR_NEXT_TTL_MS = 20_000;
export const QR_SERIES_LENGTH = 6;

export class WahaClock {
  constructor(readonly scale: number) {}

  /** How long QR number `sequence` (1 to 6) of a window lives. */
  qrLifetimeMs(sequence: number): number {
    return Math.round((sequence <= 1 ? QR_FIRST_TTL_MS : QR_NEXT_TTL_MS) * this.scale);
  }

  /** How long each QR after the first lives: the time between two rotations. */
  rotationMs(): number {
    return this.qrLifetimeMs(2);
  }

  /** When WAHA ends the window, known from any QR of it: that QR's expiry plus the QRs still to come. */
  windowEndsAt(sequence: number, expiresAt: Date): Date {
    const rest = Math.max(0, QR_SERIES_LENGTH - sequence) * this.rotationMs();
    return new Date(expiresAt.getTime() + rest);
  }

  /** How long a whole window lasts on this clock: all six QRs (a pairing code lives at most this long). */
  windowMs(): number {
    return this.qrLifetimeMs(1) + (QR_SERIES_LENGTH - 1) * this.rotationMs();
  }

  /** The window's end for a window that started at `startedAt` (its first QR). */
  windowFrom(startedAt: number): Date {
    return new Date(startedAt + this.windowMs());
  }
}
