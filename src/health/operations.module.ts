import { EntityManager } from '@mikro-orm/core';
import { Module, type OnModuleInit } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { OutboxDispatcher } from '../outbox/outbox.dispatcher.js';
import { MetricsController } from './metrics.controller.js';
import { Metrics } from '../observability/metrics.js';
import { HealthController } from './health.controller.js';
import { ShutdownModule } from './shutdown-gate.js';

/** Health probes, the shutdown gate, and the metrics that are read from the database at scrape time. */
@Module({
  imports: [TerminusModule, ShutdownModule],
  controllers: [HealthController, MetricsController],
})
export class OperationsModule implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    private readonly outbox: OutboxDispatcher,
    private readonly em: EntityManager,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge(
      'whatsapp_hub_outbox_pending',
      'Commands waiting for delivery to n8n',
      [],
      async (set) => {
        set({}, (await this.outbox.stats()).pending);
      },
    );
    this.metrics.gauge(
      'whatsapp_hub_outbox_dead',
      'Commands n8n never accepted (gave up)',
      [],
      async (set) => {
        set({}, (await this.outbox.stats()).dead);
      },
    );
    this.metrics.gauge(
      'whatsapp_hub_outbox_oldest_pending_age_seconds',
      'Age of the oldest command waiting for delivery',
      [],
      async (set) => set({}, (await this.outbox.stats()).oldestPendingAgeSeconds ?? 0),
    );
    this.metrics.gauge('whatsapp_hub_sessions', 'WhatsApp sessions by status', ['status'], async (set) => {
      // Across tenants on purpose: an operator's count, never a tenant's data.
      const rows = (await this.em
        .getConnection()
        .execute(
          'select status, count(*)::int as count from whatsapp_sessions where deleted_at is null group by status',
        )) as { status: string; count: number }[];
      for (const row of rows) set({ status: row.status }, row.count);
    });
  }
}
