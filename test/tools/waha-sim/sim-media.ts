/**
 * Media as WAHA keeps it: the kinds of media message, a small real sample of each, and WAHA's
 * local media storage: every file a message brings is saved as `{session}/{id}.{extension}`,
 * served under `/api/files/`, and deleted after WHATSAPP_FILES_LIFETIME (0: kept for ever).
 */
export const MEDIA_KINDS = ['image', 'video', 'audio', 'voice', 'document', 'sticker'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/** WAHA's default WHATSAPP_FILES_LIFETIME: 180 s. */
export const DEFAULT_FILES_LIFETIME_MS = 180_000;

/** whatsapp-web.js's `type` of each kind (a voice note is push-to-talk, `ptt`). */
export const WEBJS_TYPE: Record<MediaKind, string> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  voice: 'ptt',
  document: 'document',
  sticker: 'sticker',
};

/** The proto field a media message of each kind carries (Baileys and whatsmeow alike). */
export const PROTO_FIELD: Record<MediaKind, string> = {
  image: 'imageMessage',
  video: 'videoMessage',
  audio: 'audioMessage',
  voice: 'audioMessage',
  document: 'documentMessage',
  sticker: 'stickerMessage',
};

/** The mimetype WhatsApp gives each kind when the sender's client does not say otherwise. */
export const DEFAULT_MIMETYPE: Record<MediaKind, string> = {
  image: 'image/png',
  video: 'video/mp4',
  audio: 'audio/mpeg',
  voice: 'audio/ogg; codecs=opus',
  document: 'application/pdf',
  sticker: 'image/webp',
};

/** A 1×1 PNG. */
const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
/** A 1×1 lossless WebP. */
const WEBP = 'UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==';

/** The first bytes of a real file of each kind: enough for a reader that sniffs the format. */
export function sampleBytes(kind: MediaKind): Buffer {
  switch (kind) {
    case 'image':
      return Buffer.from(PNG, 'base64');
    case 'sticker':
      return Buffer.from(WEBP, 'base64');
    case 'video': // an MP4 `ftyp` box
      return Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex');
    case 'audio': // an MPEG-1 Layer III frame header and silence
      return Buffer.concat([Buffer.from('fffb9064', 'hex'), Buffer.alloc(60)]);
    case 'voice': // an Ogg page carrying an OpusHead (mono, 48 kHz)
      return Buffer.concat([
        Buffer.from('OggS', 'latin1'),
        Buffer.from('0002' + '00'.repeat(8) + '53494d00' + '00000000' + '00000000' + '01' + '13', 'hex'),
        Buffer.from('OpusHead', 'latin1'),
        Buffer.from('0101380180bb0000000000', 'hex'),
      ]);
    case 'document':
      return Buffer.from(
        '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
          '2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
        'latin1',
      );
  }
}

/**
 * The extension WAHA names a file by (mime-types' first extension for the mimetype, parameters
 * ignored) and the Content-Type its static file server answers for that extension.
 */
const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'video/mp4': 'mp4',
  'video/3gpp': '3gp',
  'audio/ogg': 'oga',
  'audio/mpeg': 'mpga',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'text/plain': 'txt',
  'text/vcard': 'vcf',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};
const CONTENT_TYPES: Record<string, string> = Object.fromEntries(
  Object.entries(EXTENSIONS).map(([type, ext]) => [
    ext,
    type === 'text/plain' ? 'text/plain; charset=UTF-8' : type,
  ]),
);

export function extensionOf(mimetype: string): string {
  const type = mimetype.split(';')[0]?.trim().toLowerCase() ?? '';
  return EXTENSIONS[type] ?? 'bin';
}

export function contentTypeOf(fileName: string): string {
  const ext = fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** Bytes given as a Buffer or base64 text. */
export function decodeBytes(value: unknown): Buffer | null {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/=\s_-]*$/.test(value)) return null;
  return Buffer.from(value, 'base64');
}

interface StoredFile {
  bytes: Buffer;
  session: string;
  messageId: string;
  /** Real ms since epoch; null: kept (WHATSAPP_FILES_LIFETIME=0). */
  expiresAt: number | null;
}

/**
 * WAHA's local media storage, in memory. Expiry is checked when a file is read (and expired
 * files are swept when one is saved), so an idle simulator runs no timers for it.
 */
export class SimFileStore {
  private readonly files = new Map<string, StoredFile>();

  /** `lifetimeMs`: real milliseconds (WAHA's lifetime already scaled); 0 keeps files. */
  constructor(private readonly lifetimeMs: number) {}

  /** Saves a message's file; answers its path under /api/files/ (`{session}/{fileName}`). */
  save(session: string, messageId: string, fileId: string, mimetype: string, bytes: Buffer): string {
    this.sweep();
    const path = `${session}/${fileId}.${extensionOf(mimetype)}`;
    this.files.set(path, {
      bytes,
      session,
      messageId,
      expiresAt: this.lifetimeMs > 0 ? Date.now() + this.lifetimeMs : null,
    });
    return path;
  }

  read(path: string): { bytes: Buffer; contentType: string } | null {
    const file = this.files.get(path);
    if (!file) return null;
    if (file.expiresAt !== null && Date.now() >= file.expiresAt) {
      this.files.delete(path);
      return null;
    }
    return { bytes: file.bytes, contentType: contentTypeOf(path) };
  }

  /** Deletes the files of a message now, as WAHA's lifetime would; answers how many there were. */
  expireMessage(session: string, messageId: string): number {
    let removed = 0;
    for (const [path, file] of this.files) {
      if (file.session === session && file.messageId === messageId) {
        this.files.delete(path);
        removed++;
      }
    }
    return removed;
  }

  clear(): void {
    this.files.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [path, file] of this.files) {
      if (file.expiresAt !== null && now >= file.expiresAt) this.files.delete(path);
    }
  }
}
