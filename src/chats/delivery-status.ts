import { Ack, isAck } from '../waha/acks.js';
import { WAHA_ACK_NAMES, type WahaAck, type WahaAckName } from '../waha/waha.types.js';

/** What the dashboard shows for a message: WAHA's ack in words, FAILED for ERROR. */
export const DeliveryStatus = {
  PENDING: 'PENDING',
  SENT: 'SENT',
  DELIVERED: 'DELIVERED',
  READ: 'READ',
  PLAYED: 'PLAYED',
  FAILED: 'FAILED',
} as const;
export type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

const STATUS_OF_ACK: Record<WahaAck, DeliveryStatus> = {
  [-1]: DeliveryStatus.FAILED,
  0: DeliveryStatus.PENDING,
  1: DeliveryStatus.SENT,
  2: DeliveryStatus.DELIVERED,
  3: DeliveryStatus.READ,
  4: DeliveryStatus.PLAYED,
};

export function deliveryStatusOf(ack: number): DeliveryStatus {
  return isAck(ack) ? STATUS_OF_ACK[ack] : DeliveryStatus.PENDING;
}

export function ackNameOf(ack: number): WahaAckName {
  return isAck(ack) ? WAHA_ACK_NAMES[ack] : 'PENDING';
}

/**
 * Whether `next` may replace `current`: acks only move forward (READ is never overwritten by
 * a late SERVER), and ERROR may replace PENDING only. The SQL that applies acks
 * (`ackAdvancesSql`) says the same; keep them together (test/chats/delivery-status.spec.ts
 * checks every pair of acks in both).
 */
export function ackAdvances(current: number, next: number): boolean {
  return next > current || (next === Ack.ERROR && current === Ack.PENDING);
}

/** `ackAdvances(current, next)` as SQL over two expressions. */
export function ackAdvancesSql(current: string, next: string): string {
  return `(${next} > ${current} or (${next} = ${Ack.ERROR} and ${current} = ${Ack.PENDING}))`;
}
