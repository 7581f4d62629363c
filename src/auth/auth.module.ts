import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { DomainErrorFilter } from '../common/domain-error.filter.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { AccessGuard } from './access.guard.js';
import { JwtService } from './jwt.service.js';
import { RateLimiter } from './rate-limiter.js';

@Global()
@Module({
  imports: [TenantsModule],
  providers: [
    JwtService,
    RateLimiter,
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_FILTER, useClass: DomainErrorFilter },
  ],
  exports: [JwtService],
})
export class AuthModule {}
