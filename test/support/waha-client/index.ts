export { WahaClient, chatIdOf, sentMessageId } from './waha.client.js';
export type {
  ChatMessagesInput,
  CreateSessionInput,
  PageInput,
  SendTextInput,
  SendTextResult,
  WahaClientOptions,
} from './waha.client.js';
export { toWahaError, type WahaCallContext } from './waha.errors.js';
export { WahaModule } from './waha.module.js';
export * from '../../../src/waha/waha.types.js';
export * from './waha.validation.js';
