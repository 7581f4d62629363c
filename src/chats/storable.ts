/**
 * What PostgreSQL can hold now lives in src/common/storable.ts, shared with the sessions
 * domain (which chats imports, so it cannot import chats). Kept as a re-export so the chats
 * and webhook code importing it from here keeps working unchanged.
 */
export * from '../common/storable.js';
