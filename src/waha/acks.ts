import { type WahaAck } from './waha.types.js';

/** WAHA's acks: ERROR -1, PENDING 0, SERVER 1, DEVICE 2, READ 3, PLAYED 4. */
export const Ack = { ERROR: -1, PENDING: 0, SERVER: 1, DEVICE: 2, READ: 3, PLAYED: 4 } as const;

export function isAck(value: unknown): value is WahaAck {
  return typeof value === 'number' && Number.isInteger(value) && value >= -1 && value <= 4;
}
