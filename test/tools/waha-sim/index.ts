export {
  startWahaSimulator,
  type SimFaults,
  type SimRequestRecord,
  type WahaSimulator,
  type WahaSimulatorOptions,
} from './waha-simulator.js';
export { WAHA_VERSION, type SimEngineName } from './sim-engine.js';
export { WAHA_CLOCK } from './sim-qr-clock.js';
export { type SimGroup, type SimGroupParticipant, type SimSessionState } from './sim-session.js';
export { DEFAULT_FILES_LIFETIME_MS, MEDIA_KINDS, type MediaKind, sampleBytes } from './sim-media.js';
export { type SimInboundInput, type SimInboundMedia } from './sim-inbound.js';
export { type CreateGroupInput } from './sim-directory.js';
export {
  type ReactInput,
  type WAMessageEditedBody,
  type WAMessageReaction,
  type WAMessageRevokedBody,
} from './sim-message-events.js';
export { type SimSentMedia } from './waha-routes-media.js';
export {
  DEFAULT_RETRIES,
  WAHA_EVENTS,
  type WebhookAttempt,
  type WebhookDelivery,
} from './webhook-dispatcher.js';
