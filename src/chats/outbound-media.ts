import { type EntityManager } from '@mikro-orm/core';
import { DomainError, ErrorCode } from '../common/domain-error.js';
import { keyOf } from '../common/global-ids.js';
import { Media, MediaDirection, MediaState } from '../media/media.entity.js';
import { type CommandPayloads } from '../outbox/commands.js';
import { MessageType } from '../waha/message-types.js';

export type MediaKind = NonNullable<CommandPayloads['message.send']['media']>['kind'];

/**
 * How a file is sent, from its mimetype: WAHA has one endpoint per kind (sendImage, sendVideo,
 * sendVoice, sendFile), and the stored message's type says what the chat shows.
 *
 * A voice note is only Ogg (Opus): WAHA's sendVoice wants `audio/ogg; codecs=opus` and would
 * otherwise have to convert with ffmpeg (its `convert` flag), which not every WAHA has. Any
 * other audio (mp3, m4a, wav, …) goes as a file, which WhatsApp shows as a playable audio
 * attachment: type AUDIO ("an audio file sent as a file"), kind document.
 */
export function mediaKindOf(mimetype: string): { type: MessageType; kind: MediaKind } {
  const essence = mimetype.split(';')[0]!.trim().toLowerCase();
  if (essence.startsWith('image/')) return { type: MessageType.IMAGE, kind: 'image' };
  if (essence.startsWith('video/')) return { type: MessageType.VIDEO, kind: 'video' };
  if (essence === 'audio/ogg' || essence === 'audio/opus') return { type: MessageType.VOICE, kind: 'voice' };
  if (essence.startsWith('audio/')) return { type: MessageType.AUDIO, kind: 'document' };
  return { type: MessageType.DOCUMENT, kind: 'document' };
}

export interface SendableMedia {
  id: string;
  type: MessageType;
  kind: MediaKind;
  mimetype: string;
  filename: string | null;
}

/**
 * The file a send names: a file the caller's tenant uploaded (OUTBOUND) and that is READY. An
 * unknown id and another tenant's are the same NOT_FOUND (the request's tenant filter hides the
 * other tenant's rows), so media ids cannot be probed. The tenant's own file that cannot be sent
 * is said so: a received file (upload it to send it), one uploaded for another of its sessions,
 * or one not READY (its state).
 */
export async function sendableMedia(
  em: EntityManager,
  mediaId: string,
  sessionId: string,
  field: string,
): Promise<SendableMedia> {
  const media = await em.findOne(Media, { id: keyOf('WhatsappMedia', mediaId, field) });
  if (!media) {
    throw new DomainError(ErrorCode.NOT_FOUND, `Media ${JSON.stringify(mediaId)} was not found`, { field });
  }
  if (media.direction !== MediaDirection.OUTBOUND) {
    throw DomainError.badInput(field, 'This media was received, not uploaded: upload the file to send it');
  }
  // An upload names the session it is for, or '' for any of the tenant's sessions.
  if (media.sessionId !== '' && media.sessionId !== sessionId) {
    throw DomainError.badInput(field, 'This file was uploaded for another session: upload it for this one');
  }
  if (media.state !== MediaState.READY || !media.mimetype) {
    throw new DomainError(ErrorCode.FAILED_PRECONDITION, `The media is ${media.state}; sending needs READY`, {
      field,
      details: { state: media.state, expected: [MediaState.READY] },
    });
  }
  return {
    id: media.id,
    ...mediaKindOf(media.mimetype),
    mimetype: media.mimetype,
    filename: media.filename ?? null,
  };
}
