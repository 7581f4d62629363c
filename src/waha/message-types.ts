/**
 * The kinds of message this service tells apart. WAHA's WAMessage has no type field of its own:
 * the kind comes from the engine's `_data.type` (whatsapp-web.js: chat, image, video, audio,
 * ptt, document, sticker, location, vcard, …), else from what the message carries (a location,
 * vCards, the media's mimetype). See messageTypeOf in waha-message.ts.
 */
export const MessageType = {
  TEXT: 'TEXT',
  IMAGE: 'IMAGE',
  VIDEO: 'VIDEO',
  /** An audio file sent as a file. */
  AUDIO: 'AUDIO',
  /** A voice note (WhatsApp's push-to-talk, `ptt`). */
  VOICE: 'VOICE',
  DOCUMENT: 'DOCUMENT',
  STICKER: 'STICKER',
  LOCATION: 'LOCATION',
  /** One or more contact cards (vCards). */
  CONTACT: 'CONTACT',
  /** Anything else WAHA delivers (polls, calls, system notices): kept with its body. */
  OTHER: 'OTHER',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];
export const MESSAGE_TYPES: readonly MessageType[] = Object.values(MessageType);
