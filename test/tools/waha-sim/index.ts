export {
  startWahaSimulator,
  type SimFaults,
  type SimRequestRecord,
  type WahaSimulator,
  type WahaSimulatorOptions,
} from './waha-simulator.js';
export { WAHA_CLOCK, WAHA_VERSION, type SimEngineName, type SimSessionState } from './sim-engine.js';
export { DEFAULT_RETRIES, type WebhookAttempt, type WebhookDelivery } from './webhook-dispatcher.js';
