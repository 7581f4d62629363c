import { Injectable } from '@nestjs/common';
import { RealtimeService } from '../realtime/realtime.service.js';
import { type JsonValue, Topic } from '../realtime/topics.js';
import { toSessionUpdatedPayload } from './session-payload.js';
import { type WhatsappSession } from './whatsapp-session.entity.js';

@Injectable()
export class SessionEvents {
  constructor(private readonly realtime: RealtimeService) {}

  /** Call after the change is committed: a subscriber may read the database when it hears it. */
  async updated(session: WhatsappSession): Promise<void> {
    const payload = toSessionUpdatedPayload(session);
    await this.realtime.publish(Topic.SESSION_UPDATED, payload.tenantId, payload as unknown as JsonValue);
  }
}
