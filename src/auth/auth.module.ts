import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { DomainErrorFilter } from '../common/domain-error.filter.js';
import { TenantsModule } from '../tenants/tenants.module.js';
import { AccessGuard } from './access.guard.js';
import { ApiKeyWatch } from './api-key-watch.js';
import { ApiKeysService } from './api-keys.service.js';
import { CredentialsService } from './credentials.service.js';
import { JwtService } from './jwt.service.js';
import { RateLimiter } from './rate-limiter.js';

@Global()
@Module({
  imports: [TenantsModule],
  providers: [
    JwtService,
    RateLimiter,
    ApiKeysService,
    CredentialsService,
    ApiKeyWatch,
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_FILTER, useClass: DomainErrorFilter },
  ],
  exports: [JwtService, ApiKeysService, CredentialsService, ApiKeyWatch],
})
export class AuthModule {}
