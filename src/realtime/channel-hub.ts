import { type PubSubEngine } from 'graphql-subscriptions';

type Listener = (payload: unknown) => void;

interface Channel {
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
  private closed = false;

  constructor(
    private readonly engine: PubSubEngine,
    private readonly canUnsubscribe: () => boolean,
    private readonly onError: (message: string, error: unknown) => void,
  ) {}

  /** Adds a listener to a channel; returns when it is live and how to remove it. */
  listen(name: string, listener: Listener): { live: Promise<void>; remove: () => void } {
    if (this.closed) return { live: Promise.resolve(), remove: () => undefined };
    let channel = this.channels.get(name);
    if (!channel) channel = this.open(name);
    channel.listeners.add(listener);
    const opened = channel;
    return {
      live: opened.live,
      remove: () => {
        opened.listeners.delete(listener);
        this.release(name, opened);
      },
    };
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
  }

  private open(name: string): Channel {
    const listeners = new Set<Listener>();
    const dispatch = (payload: unknown) => {
      for (const listener of listeners) listener(payload);
    };
    const channel: Channel = { listeners, live: Promise.resolve(), subId: undefined };
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
