import {
  Global,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { LocalMediaStore } from './local-media-store.js';
import { MediaFiles } from './media-files.js';
import { MediaLinks } from './media-links.js';
import { MEDIA_STORE, type MediaStore } from './media-store.js';
import { WahaFiles } from './waha-files.js';
import { S3MediaStore } from './s3-media-store.js';

export function createMediaStore(config: AppConfig): MediaStore {
  return config.media.store === 's3'
    ? new S3MediaStore(config.media.s3)
    : new LocalMediaStore(config.media.dir);
}

/**
 * The media store (MEDIA_STORE: a local folder or an S3-compatible bucket) and the signed links
 * to its files; global, since the chats domain (downloads, sends) and the media edge both use them.
 */
@Global()
@Module({
  providers: [
    MediaLinks,
    MediaFiles,
    WahaFiles,
    { provide: MEDIA_STORE, inject: [APP_CONFIG], useFactory: createMediaStore },
  ],
  exports: [MediaLinks, MediaFiles, WahaFiles, MEDIA_STORE],
})
export class MediaModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('MediaStore');

  constructor(@Inject(MEDIA_STORE) private readonly store: MediaStore) {}

  /**
   * A local folder that cannot be written stops the start: nothing could ever be stored. An
   * unreachable bucket does not: chats work without it and downloads retry, so it is logged.
   */
  async onModuleInit(): Promise<void> {
    if (this.store.kind === 'local') {
      await this.store.init();
      return;
    }
    await this.store
      .init()
      .catch((error: unknown) =>
        this.logger.error(`${error instanceof Error ? error.message : String(error)}; downloads will retry`),
      );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
