export {
  startWahaSimulator,
  type SimFaults,
  type SimRequestRecord,
  type WahaSimulator,
  type WahaSimulatorOptions,
} from './waha-simulator.js';
export { WAHA_VERSION, type SimEngineName } from './sim-engine.js';
export { WAHA_CLOCK } from './sim-qr-clock.js';
export { type SimSessionState } from './sim-session.js';
export { DEFAULT_RETRIES, type WebhookAttempt, type WebhookDelivery } from './webhook-dispatcher.js';
