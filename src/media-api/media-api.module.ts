import { Module } from '@nestjs/common';
import { MediaController } from './media.controller.js';

/**
 * The media edge over HTTP: files by signed link, uploads by dashboard token. Its GraphQL field
 * (WhatsappMedia.downloadUrl, MediaUrlResolver) is registered with the public API's resolvers.
 * MediaFiles and MediaLinks come from the global MediaModule.
 */
@Module({ controllers: [MediaController] })
export class MediaApiModule {}
