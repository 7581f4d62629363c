import { Injectable } from '@nestjs/common';
import { PubSub } from 'graphql-subscriptions';
import { channelOf, type JsonValue, type Topic } from './topics.js';

/**
 * Publish/subscribe for live updates, scoped by tenant. This first version is in-process
 * (one replica); the realtime issue replaces its inside with Redis when REDIS_URL is set,
 * keeping this interface.
 */
@Injectable()
export class RealtimeService {
  private readonly pubsub = new PubSub();

  async publish(topic: Topic, tenantId: string, payload: JsonValue): Promise<void> {
    await this.pubsub.publish(channelOf(topic, tenantId), payload);
  }

  subscribe(topic: Topic, tenantId: string): AsyncIterableIterator<JsonValue> {
    return this.pubsub.asyncIterableIterator<JsonValue>(channelOf(topic, tenantId));
  }
}
