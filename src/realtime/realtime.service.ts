import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { Redis, type RedisOptions } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { ChannelHub } from './channel-hub.js';
import { EventStream } from './event-stream.js';
import { channelOf, type JsonValue, type Topic } from './topics.js';

/** A publish that Redis does not answer within this is given up (the row is stored either way). */
const PUBLISH_TIMEOUT_MS = 2000;

/**
 * Publish/subscribe for live updates, scoped by tenant (`${topic}:${tenantId}`).
 *
 * Without REDIS_URL: in-process (one replica). With it: Redis pub/sub through
 * graphql-redis-subscriptions on two ioredis connections per replica (one publishes, one
 * subscribes), so any replica serves any subscriber. Either way a ChannelHub holds one
 * engine subscription per channel and fans it out to this replica's streams.
 *
 * Redis going away never fails the caller: `publish` logs and returns (the database is the
 * truth; events published meanwhile are lost), subscriptions stay open and hear again once
 * ioredis has reconnected and re-subscribed.
 */
@Injectable()
export class RealtimeService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger(RealtimeService.name);
  private readonly engine: PubSubEngine;
  private readonly hub: ChannelHub;
  private readonly redis: { publisher: Redis; subscriber: Redis } | undefined;
  /** Whether Redis was last seen away, so an outage is logged once, not on every retry. */
  private readonly away = new Set<'publisher' | 'subscriber'>();
  /** Open streams, so shutdown can end them (one Set entry each). */
  private readonly streams = new Set<EventStream<never>>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.redisUrl) {
      const common: RedisOptions = {
        retryStrategy: (times) => Math.min(times * 100, 2000),
      };
      const publisher = new Redis(config.redisUrl, {
        ...common,
        connectionName: 'whatsapp-hub:publish',
        // A publish while Redis is away fails at once instead of queueing behind a mutation.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: PUBLISH_TIMEOUT_MS,
      });
      const subscriber = new Redis(config.redisUrl, {
        ...common,
        connectionName: 'whatsapp-hub:subscribe',
        // SUBSCRIBEs wait for Redis to come back; ioredis re-subscribes every channel on reconnect.
        maxRetriesPerRequest: null,
        autoResubscribe: true,
      });
      this.watch('publisher', publisher);
      this.watch('subscriber', subscriber);
      this.redis = { publisher, subscriber };
      this.engine = new RedisPubSub({ publisher, subscriber });
    } else {
      this.engine = new PubSub();
    }
    this.hub = new ChannelHub(
      this.engine,
      () => this.redis === undefined || this.redis.subscriber.status === 'ready',
      (message, error) => this.logger.warn(`${message}: ${describe(error)}`),
    );
  }

  /** With Redis: waits for both connections at boot, but starts without them if Redis is down. */
  async onModuleInit(): Promise<void> {
    if (!this.redis) return;
    await Promise.all([firstContact(this.redis.publisher), firstContact(this.redis.subscriber)]);
  }

  /**
   * Ends every open stream before the HTTP server drains: a create waiting for its first QR
   * answers at once with the session as stored, and subscriptions complete, so dashboards
   * reconnect to a replica that is staying up instead of holding this one open.
   */
  beforeApplicationShutdown(): void {
    this.endAllStreams();
  }

  /** Also called when Apollo starts draining (GraphqlObservabilityPlugin), which comes first. */
  endAllStreams(): void {
    for (const stream of [...this.streams]) stream.close();
  }

  async onApplicationShutdown(): Promise<void> {
    this.hub.close();
    if (!this.redis) return;
    const { publisher, subscriber } = this.redis;
    await Promise.all([quit(publisher), quit(subscriber)]);
  }

  /** Never throws: a lost event must not fail the change that caused it. */
  async publish(topic: Topic, tenantId: string, payload: JsonValue): Promise<void> {
    const channel = channelOf(topic, tenantId);
    try {
      await this.engine.publish(channel, payload);
    } catch (error) {
      this.logger.warn(`Publishing to ${channel} failed, subscribers miss this event: ${describe(error)}`);
    }
  }

  /**
   * The tenant's events of a topic, optionally only those `accept`ed (checked on arrival, so
   * per-subscription state stays one closure). `live` resolves once the channel is subscribed.
   */
  subscribe<T = JsonValue>(topic: Topic, tenantId: string, accept?: (event: T) => boolean): EventStream<T> {
    const stream = new EventStream<T>(accept);
    const { live, remove } = this.hub.listen(
      channelOf(topic, tenantId),
      stream.push as (payload: unknown) => void,
    );
    const tracked = stream as unknown as EventStream<never>;
    this.streams.add(tracked);
    stream.attach(live, () => {
      this.streams.delete(tracked);
      remove();
    });
    return stream;
  }

  /** True when a subscription made now is live at once or soon; false while Redis is away. */
  get connected(): boolean {
    return this.redis === undefined || this.redis.subscriber.status === 'ready';
  }

  /** Channels this replica listens to (one engine subscription each). */
  get channelCount(): number {
    return this.hub.size;
  }

  /** Subscribers on this replica, over all channels (for tests: a subscription is in place). */
  get listenerCount(): number {
    return this.hub.listenerCount;
  }

  private watch(role: 'publisher' | 'subscriber', client: Redis): void {
    client.on('error', (error: unknown) => {
      if (this.away.has(role)) return;
      this.away.add(role);
      this.logger.warn(`Redis ${role} connection lost, retrying: ${describe(error)}`);
    });
    client.on('ready', () => {
      if (this.away.delete(role)) this.logger.log(`Redis ${role} connection is back`);
      if (role === 'subscriber') this.hub.sweep();
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Resolves when the client is ready or has failed its first attempt (it keeps retrying). */
function firstContact(client: Redis): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      client.off('ready', done);
      client.off('error', done);
      resolve();
    };
    client.once('ready', done);
    client.once('error', done);
  });
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
