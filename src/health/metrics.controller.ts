import { Controller, Get, Header } from '@nestjs/common';
import { PublicAccess } from '../auth/access.decorators.js';
import { Metrics } from '../observability/metrics.js';

@Controller()
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @PublicAccess('Prometheus scrape; counts only, no ids or tenant data')
  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
