import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { type AuthCarrier } from '../auth/request-of.js';
import { keyIfGlobal } from '../common/global-ids.js';
import { MediaModel } from '../chats/message-parts.model.js';
import { MediaState } from '../media/media.entity.js';
import { MediaLinks } from '../media/media-links.js';

/**
 * WhatsappMedia.downloadUrl: a fresh signed link each time the media is read (a query, or a
 * whatsappMessageUpserted event), so a dashboard never holds a link for long. The link is for
 * the caller's tenant: the media was read under that tenant's filter (or pushed on its channel),
 * and the endpoint checks the media against the link's tenant again.
 */
@Resolver(() => MediaModel)
export class MediaUrlResolver {
  constructor(private readonly links: MediaLinks) {}

  @ResolveField(() => String, {
    nullable: true,
    description:
      'A short-lived signed URL of the file (GET; ranges supported), valid MEDIA_URL_TTL_SECONDS: read the media again for a fresh one. Null until READY.',
  })
  downloadUrl(@Parent() media: MediaModel, @Context('req') req: AuthCarrier | undefined): string | null {
    const tenantId = req?.auth?.tenantId;
    if (media.state !== MediaState.READY || !tenantId) return null;
    // The model shows the global id; the link names the row.
    return this.links.downloadUrl(tenantId, keyIfGlobal('WhatsappMedia', media.id) ?? media.id);
  }
}
