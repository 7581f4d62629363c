import { type PubSubEngine } from 'graphql-subscriptions';

/** A channel's subscriber (an EventStream): called as a method, so it needs no closure per listener. */
export interface Listener {
  push(payload: unknown): void;
}

interface Channel {
  readonly name: string;
  readonly listeners: Set<Listener>;
  /** Resolves when the engine has confirmed the subscription (Redis: SUBSCRIBE answered). */
  live: Promise<void>;
  /** The engine's subscription id, once confirmed. */
  subId: number | undefined;
}

/**
 * Fans each channel out to this replica's subscribers over ONE engine subscription per
 * channel, whatever the number of sockets listening: the engine (Redis) sees one SUBSCRIBE
 * per channel per replica, and an event is parsed once and handed to every listener.
 *
 * It also owns when the engine may be unsubscribed: never while its SUBSCRIBE is pending
 * (graphql-redis-subscriptions loses track of such an id), and not while Redis is away
 * (`canUnsubscribe` false): idle channels are then released by `sweep()` once it is back.
 */
export class ChannelHub {
  private readonly channels = new Map<string, Channel>();
  /** Each listener's channel, so removing one needs no per-listener closure. */
  private readonly channelOf = new Map<Listener, Channel>();
  private closed = false;

  constructor(
    private readonly engine: PubSubEngine,
    private readonly canUnsubscribe: () => boolean,
    private readonly onError: (message: string, error: unknown) => void,
  ) {}

  /** Adds a listener to a channel; returns when it is live. A listener listens to one channel. */
  listen(name: string, listener: Listener): Promise<void> {
    if (this.closed) return Promise.resolve();
    let channel = this.channels.get(name);
    if (!channel) channel = this.open(name);
    channel.listeners.add(listener);
    this.channelOf.set(listener, channel);
    return channel.live;
  }

  /** Removes a listener from its channel (nothing when it has none). */
  remove(listener: Listener): void {
    const channel = this.channelOf.get(listener);
    if (!channel) return;
    this.channelOf.delete(listener);
    channel.listeners.delete(listener);
    this.release(channel.name, channel);
  }

  /** Channels this replica is subscribed to, for tests and metrics. */
  get size(): number {
    return this.channels.size;
  }

  /** Listeners across all channels: a test waits on it to know a subscription is in place. */
  get listenerCount(): number {
    let count = 0;
    for (const channel of this.channels.values()) count += channel.listeners.size;
    return count;
  }

  /** Releases idle channels that could not be released while the engine was away. */
  sweep(): void {
    for (const [name, channel] of this.channels) this.release(name, channel);
  }

  close(): void {
    this.closed = true;
    this.channels.clear();
    this.channelOf.clear();
  }

  private open(name: string): Channel {
    const listeners = new Set<Listener>();
    const dispatch = (payload: unknown) => {
      for (const listener of listeners) listener.push(payload);
    };
    const channel: Channel = { name, listeners, live: Promise.resolve(), subId: undefined };
    channel.live = this.engine.subscribe(name, dispatch, {}).then(
      (subId) => {
        channel.subId = subId;
        // Everyone left while the SUBSCRIBE was on its way.
        this.release(name, channel);
      },
      (error: unknown) => {
        if (this.channels.get(name) === channel) this.channels.delete(name);
        if (!this.closed) this.onError(`Subscribing to ${name} failed`, error);
      },
    );
    this.channels.set(name, channel);
    return channel;
  }

  private release(name: string, channel: Channel): void {
    if (this.closed || channel.listeners.size > 0 || channel.subId === undefined) return;
    if (!this.canUnsubscribe()) return;
    if (this.channels.get(name) === channel) this.channels.delete(name);
    try {
      this.engine.unsubscribe(channel.subId);
    } catch (error) {
      this.onError(`Unsubscribing from ${name} failed`, error);
    }
    channel.subId = undefined;
  }
}
