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
import { REDIS_COMMAND_TIMEOUT_MS, RedisCommands } from '../common/redis-commands.js';
import { withTimeout } from '../common/with-timeout.js';
import { APP_CONFIG } from '../config/config.module.js';
import { type AppConfig } from '../config/env.js';
import { ChannelHub } from './channel-hub.js';
import { type AnyStream, EventStream, type StreamOwner } from './event-stream.js';
import { channelOf, type JsonValue, type Topic } from './topics.js';

/**
 * A subscriber waits this long for Redis to confirm a SUBSCRIBE before it goes on anyway (a
 * snapshot is sent; events flow once Redis answers): a silent Redis must not hold a request.
 * Longer than a command's timeout: going on early can miss an event, so a merely slow Redis
 * should still make it.
 */
const LIVE_WAIT_MS = 3 * REDIS_COMMAND_TIMEOUT_MS;
/** Closing the connections at shutdown waits at most this for Redis to acknowledge QUIT. */
const QUIT_TIMEOUT_MS = REDIS_COMMAND_TIMEOUT_MS;

/**
 * Publish/subscribe for live updates, scoped by tenant (`${topic}:${tenantId}`).
 *
 * Without REDIS_URL: in-process (one replica). With it: Redis pub/sub through
 * graphql-redis-subscriptions on two ioredis connections per replica (one publishes, one
 * subscribes), so any replica serves any subscriber. Either way a ChannelHub holds one
 * engine subscription per channel and fans it out to this replica's streams.
 *
 * Redis going away, or going silent, never fails or holds the caller: `publish` does not wait
 * for Redis (events are sent in order on one connection; the database is the truth, and events
 * published while Redis is away are dropped and counted), subscriptions stay open and hear
 * again once ioredis has reconnected and re-subscribed. Whether Redis answers is RedisCommands'
 * one view, shared with the rate limiter.
 */
@Injectable()
export class RealtimeService
  implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown, StreamOwner
{
  private readonly logger = new Logger(RealtimeService.name);
  private readonly engine: PubSubEngine;
  private readonly hub: ChannelHub;
  private readonly redis: { publisher: Redis; subscriber: Redis } | undefined;
  /** Whether Redis was last seen away, so an outage is logged once, not on every retry. */
  private readonly away = new Set<'publisher' | 'subscriber'>();
  /** Open streams, so shutdown can end them (one Set entry each). */
  private readonly streams = new Set<AnyStream>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly commands: RedisCommands,
  ) {
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
        // How a silent Redis is noticed: an unanswered publish marks Redis away (RedisCommands).
        commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
        // A group-committed batch publishes tens of events in one tick: one write to Redis for
        // them instead of one each (3-4% of the service's busy time under webhook load).
        enableAutoPipelining: true,
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

  /**
   * Never throws, and never waits for Redis: a lost event must not fail, or hold, the change
   * that caused it. Resolves once the event is handed over (in process: delivered).
   */
  publish(topic: Topic, tenantId: string, payload: JsonValue): Promise<void> {
    const channel = channelOf(topic, tenantId);
    if (!this.redis) {
      return this.engine.publish(channel, payload).catch((error: unknown) => {
        this.logger.warn(`Publishing to ${channel} failed, subscribers miss this event: ${describe(error)}`);
      });
    }
    if (!this.commands.available) {
      this.commands.fellBack('publish');
      return Promise.resolve();
    }
    // RedisPubSub writes the PUBLISH before its first await: order is kept without waiting.
    this.engine.publish(channel, payload).catch((error: unknown) => {
      this.commands.fellBack('publish');
      this.commands.reportFailure(error);
    });
    return Promise.resolve();
  }

  /**
   * The tenant's events of a topic, optionally only those `accept`ed (checked on arrival, so
   * per-subscription state stays one closure). `live` resolves once the channel is subscribed.
   */
  subscribe<T = JsonValue>(topic: Topic, tenantId: string, accept?: (event: T) => boolean): EventStream<T> {
    const stream = new EventStream<T>(accept);
    const live = this.hub.listen(channelOf(topic, tenantId), stream);
    this.streams.add(stream);
    stream.attach(this.redis ? this.withinLiveWait(live) : live, this);
    return stream;
  }

  /** A stream closed: off its channel (StreamOwner). */
  detach(stream: AnyStream): void {
    this.streams.delete(stream);
    this.hub.remove(stream);
  }

  /** True when a subscription made now is live at once or soon; false while Redis is away or silent. */
  get connected(): boolean {
    return this.redis === undefined || (this.redis.subscriber.status === 'ready' && this.commands.available);
  }

  /** `live`, or LIVE_WAIT_MS, whichever comes first (the latter counted as a fallback). */
  private withinLiveWait(live: Promise<void>): Promise<void> {
    // `live` never rejects (the ChannelHub reports a failed SUBSCRIBE itself): only the wait can.
    return withTimeout(live, LIVE_WAIT_MS).catch(() => this.commands.fellBack('subscribe'));
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
  // A silent Redis never acknowledges QUIT: do not hold the shutdown for it.
  try {
    await withTimeout(client.quit(), QUIT_TIMEOUT_MS);
  } catch {
    // disconnected below either way
  } finally {
    client.disconnect();
  }
}
