import { Global, Injectable, Module } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The service's Prometheus metrics, one registry per app instance. Labels stay
 * low-cardinality: endpoint, operation (a root field of the schema), event type, outcome —
 * never a session, tenant or message id.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly graphqlOperations = new Counter({
    name: 'whatsapp_hub_graphql_operations_total',
    help: 'GraphQL operations by endpoint, operation type, root field and outcome (ok, error)',
    labelNames: ['endpoint', 'type', 'operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'whatsapp_hub_graphql_operation_duration_seconds',
    help: 'GraphQL operation latency',
    labelNames: ['endpoint', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly webhookEvents = new Counter({
    name: 'whatsapp_hub_webhook_events_total',
    help: 'WAHA webhook events by event type and outcome (stored, duplicate, ignored, rejected, failed)',
    labelNames: ['event', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly outboxDeliveries = new Counter({
    name: 'whatsapp_hub_outbox_deliveries_total',
    help: 'Deliveries of commands to n8n by command type and outcome (delivered, failed, dead)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly liveSubscriptions = new Gauge({
    name: 'whatsapp_hub_live_subscriptions',
    help: 'GraphQL subscriptions open on this replica',
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'whatsapp_hub_rate_limited_total',
    help: 'Requests refused by the per-tenant rate limit',
    registers: [this.registry],
  });

  readonly redisFallbacks = new Counter({
    name: 'whatsapp_hub_redis_fallbacks_total',
    help:
      'Redis calls given up because Redis did not answer, by operation: rate_limit (counted in process ' +
      'instead), publish (live event dropped), subscribe (went live without waiting for Redis)',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly shutdownRefusals = new Counter({
    name: 'whatsapp_hub_shutdown_refusals_total',
    help: 'Requests refused (503 SHUTTING_DOWN) because this replica was stopping, by kind (graphql, webhook, other)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly deadlockRetries = new Counter({
    name: 'whatsapp_hub_deadlock_retries_total',
    help:
      'Transactions run again because PostgreSQL chose them as a deadlock victim, by operation ' +
      '(report_sent, store_message, contact_ids); a steady rise means writers lock in crossed orders',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly reconciliations = new Counter({
    name: 'whatsapp_hub_reconciliations_total',
    help: 'Reconciliations of a session with WAHA (a chats.sync queued) by trigger (periodic, reconnect)',
    labelNames: ['trigger'] as const,
    registers: [this.registry],
  });

  readonly reconciledMessages = new Counter({
    name: 'whatsapp_hub_reconciled_messages_total',
    help: "Messages a reconciliation stored that WAHA's webhooks had never delivered",
    registers: [this.registry],
  });

  readonly sendPacingDelay = new Histogram({
    name: 'whatsapp_hub_send_pacing_delay_seconds',
    help:
      "How long a session's pace held a send (message.send, message.react) after it was otherwise " +
      'ready to leave for n8n (0 when it was not held); its count is the paced sends claimed',
    buckets: [0.05, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 60],
    registers: [this.registry],
  });

  readonly webhookMessageBatches = new Histogram({
    name: 'whatsapp_hub_webhook_message_batch_events',
    help: 'Webhook messages committed in one transaction (group commit, MessageBatcher): events per batch',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });

  readonly webhookMessageBatchFallbacks = new Counter({
    name: 'whatsapp_hub_webhook_message_batch_fallbacks_total',
    help:
      'Batches of webhook messages rolled back on an error (a bad event, a deadlock, a lost connection) ' +
      'and stored again one event at a time, so that only a bad event fails',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'whatsapp_hub_' });
  }

  /** A gauge computed at scrape time (from the database, say). */
  gauge<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (set: (labels: Partial<Record<L, string>>, value: number) => void) => Promise<void>,
  ): Gauge<L> {
    const gauge: Gauge<L> = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        gauge.reset();
        await collect((labels, value) => gauge.set(labels, value));
      },
    });
    return gauge;
  }
}

@Global()
@Module({ providers: [Metrics], exports: [Metrics] })
export class MetricsModule {}
