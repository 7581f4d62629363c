import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { parse as parseContentDisposition } from 'content-disposition';
import { fileTypeFromBuffer } from 'file-type';
import { hasControlChar, storableText } from '../common/storable.js';
import { MediaApiError, MediaErrorCode } from './media-errors.js';

/** What file-type needs to recognize every format it knows. */
const SNIFF_BYTES = 4100;

/** A mimetype without its parameters, lowercased: `audio/ogg; codecs=opus` → `audio/ogg`. */
export function essenceOf(mimetype: string): string {
  return mimetype.split(';')[0]!.trim().toLowerCase();
}

/** Formats that file-type names otherwise than people declare them, each one family. */
const FAMILIES: readonly (readonly string[])[] = [
  ['video/mp4', 'audio/mp4', 'audio/x-m4a', 'video/quicktime', 'video/3gpp', 'audio/aac'],
  // An Ogg file whose codec file-type does not know is application/ogg.
  ['audio/ogg', 'video/ogg', 'application/ogg'],
  // Office documents are zip (OOXML, ODF) or compound files (the old formats) underneath.
  ['application/zip', 'application/x-cfb'],
];
const OFFICE =
  /^application\/(vnd\.openxmlformats-officedocument\.|vnd\.oasis\.opendocument\.|msword$|vnd\.ms-)/;

/**
 * Whether the bytes, recognized as `detected`, may be sent as `declared`: the same type, or the
 * same kind of media (an image as another image format), or one family (an m4a declared
 * audio/mp4; a .docx, which is a zip). An executable declared image/jpeg is not.
 */
export function bytesMatch(declared: string, detected: string): boolean {
  const a = essenceOf(declared);
  const b = essenceOf(detected);
  if (a === b) return true;
  const kind = (type: string) => type.split('/')[0];
  if (['image', 'audio', 'video'].includes(kind(a)!) && kind(a) === kind(b)) return true;
  if (OFFICE.test(a) && ['application/zip', 'application/x-cfb'].includes(b)) return true;
  return FAMILIES.some((family) => family.includes(a) && family.includes(b));
}

/** The upload's declared type, which MEDIA_UPLOAD_TYPES must allow (by its essence). */
export function allowedType(header: string | undefined, allowed: readonly string[]): string {
  const declared = header?.trim();
  if (!declared) {
    throw new MediaApiError(
      415,
      MediaErrorCode.MEDIA_TYPE_NOT_ALLOWED,
      'Content-Type is required: the file is sent as the raw body with its own type',
      { allowed },
    );
  }
  if (!allowed.includes(essenceOf(declared))) {
    throw new MediaApiError(
      415,
      MediaErrorCode.MEDIA_TYPE_NOT_ALLOWED,
      `${essenceOf(declared)} files are not accepted`,
      {
        allowed,
      },
    );
  }
  return storableText(declared, 255);
}

/**
 * The file's name: `?filename=`, else the request's Content-Disposition filename; only its last
 * path segment, as PostgreSQL can hold it. Null when none was given.
 */
export function uploadFilename(query: unknown, contentDisposition: string | undefined): string | null {
  let name = typeof query === 'string' ? query : undefined;
  if (name === undefined && contentDisposition) {
    try {
      name = parseContentDisposition(contentDisposition).parameters['filename'];
    } catch {
      throw new MediaApiError(
        400,
        MediaErrorCode.MEDIA_BAD_REQUEST,
        'Content-Disposition is not a valid header',
      );
    }
  }
  if (name === undefined) return null;
  const last = basename(name.replace(/\\/g, '/')).trim();
  if (last === '' || last === '.' || last === '..') return null;
  if (hasControlChar(last)) {
    throw new MediaApiError(400, MediaErrorCode.MEDIA_BAD_REQUEST, 'The filename has control characters');
  }
  return storableText(last, 255);
}

/** An upload's body after its first bytes were read to recognize its format. */
export interface SniffedBody {
  /** The format file-type recognized, or null (text, or a format it does not know). */
  detected: string | null;
  /** The whole body, those first bytes included. */
  stream: Readable;
  /** Reads the rest of the body and drops it: for an answer given before the body was all read. */
  discardRest(): void;
}

/**
 * Reads the first bytes of `body` to recognize the format, and gives back a stream of the whole
 * body (those bytes first), so that nothing is read twice or held beyond the first 4 KiB.
 */
export async function sniff(body: Readable): Promise<SniffedBody> {
  const iterator = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let length = 0;
  let ended = false;
  while (length < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    head.push(next.value);
    length += next.value.length;
  }
  const type = await fileTypeFromBuffer(Buffer.concat(head));
  const stream = Readable.from(
    (async function* () {
      yield* head;
      if (ended) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    })(),
  );
  const discardRest = () => {
    // Read by the iterator, which holds the body (resume() does nothing while it listens).
    void (async () => {
      for (;;) if ((await iterator.next()).done) return;
    })().catch(() => undefined);
  };
  return { detected: type?.mime ?? null, stream, discardRest };
}
